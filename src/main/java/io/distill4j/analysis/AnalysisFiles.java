package io.distill4j.analysis;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.distill4j.UserError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The analyses of a run, kept in its folder as {@code analysis/calibration.json}, {@code analysis/agreement.json}
 * and {@code analysis/flatness.json} (each written atomically, replacing an earlier one), with what was analysed:
 * the checkpoint and the split. {@code report} reads them back to draw their charts.
 */
public final class AnalysisFiles {
    public static final String FOLDER = "analysis";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private AnalysisFiles() {}

    /** What an analysis was computed on: the checkpoint file and the split (or the training sample). */
    public record Source(String checkpoint, String split) {}

    /** A run's calibration per output. */
    public record CalibrationFile(Source source, Map<String, Calibration> outputs) {}

    /** A run's pairwise agreement of outputs. */
    public record AgreementFile(Source source, List<Agreement> pairs) {}

    /** A run's flatness per network, with the sample size, the draws and the noise seed. */
    public record FlatnessFile(Source source, int images, int draws, long seed, List<Flatness> networks) {}

    public static Path path(Path run, String kind) {
        return run.resolve(FOLDER).resolve(kind + ".json");
    }

    public static Path write(Path run, CalibrationFile f) {
        JsonObject o = header(f.source());
        JsonObject outs = new JsonObject();
        f.outputs().forEach((name, c) -> {
            JsonObject e = new JsonObject();
            e.addProperty("ece", c.ece());
            e.addProperty("nll", c.nll());
            e.addProperty("brier", c.brier());
            e.addProperty("top1", c.top1());
            e.addProperty("count", c.count());
            JsonArray bins = new JsonArray();
            for (Calibration.Bin b : c.bins()) {
                JsonObject j = new JsonObject();
                j.addProperty("lower", b.lower());
                j.addProperty("upper", b.upper());
                j.addProperty("count", b.count());
                if (b.count() > 0) {
                    j.addProperty("confidence", b.confidence());
                    j.addProperty("accuracy", b.accuracy());
                }
                bins.add(j);
            }
            e.add("bins", bins);
            outs.add(name, e);
        });
        o.add("outputs", outs);
        return write(path(run, "calibration"), o);
    }

    public static Path write(Path run, AgreementFile f) {
        JsonObject o = header(f.source());
        JsonArray pairs = new JsonArray();
        for (Agreement a : f.pairs()) {
            JsonObject j = new JsonObject();
            j.addProperty("a", a.a());
            j.addProperty("b", a.b());
            j.addProperty("agreement", a.agreement());
            j.addProperty("kl_ab", a.klAB());
            j.addProperty("kl_ba", a.klBA());
            j.addProperty("both_correct", a.bothCorrect());
            j.addProperty("either_correct", a.eitherCorrect());
            j.addProperty("count", a.count());
            pairs.add(j);
        }
        o.add("pairs", pairs);
        return write(path(run, "agreement"), o);
    }

    public static Path write(Path run, FlatnessFile f) {
        JsonObject o = header(f.source());
        o.addProperty("images", f.images());
        o.addProperty("draws", f.draws());
        o.addProperty("seed", f.seed());
        JsonObject nets = new JsonObject();
        for (Flatness fl : f.networks()) {
            JsonObject j = new JsonObject();
            j.add("sigmas", GSON.toJsonTree(fl.sigmas()));
            j.add("loss", GSON.toJsonTree(fl.loss()));
            j.add("top1", GSON.toJsonTree(fl.top1()));
            nets.add(fl.network(), j);
        }
        o.add("networks", nets);
        return write(path(run, "flatness"), o);
    }

    /** The run's calibration file, or null if it has none. */
    public static CalibrationFile readCalibration(Path run) {
        Path p = path(run, "calibration");
        JsonObject o = read(p);
        if (o == null) {
            return null;
        }
        return parse(p, () -> {
            Map<String, Calibration> outs = new LinkedHashMap<>();
            for (var e : o.getAsJsonObject("outputs").entrySet()) {
                JsonObject c = e.getValue().getAsJsonObject();
                List<Calibration.Bin> bins = new ArrayList<>();
                for (JsonElement b : c.getAsJsonArray("bins")) {
                    JsonObject j = b.getAsJsonObject();
                    bins.add(new Calibration.Bin(j.get("lower").getAsDouble(), j.get("upper").getAsDouble(),
                            j.get("count").getAsLong(), optional(j, "confidence"), optional(j, "accuracy")));
                }
                outs.put(e.getKey(), new Calibration(c.get("ece").getAsDouble(), c.get("nll").getAsDouble(),
                        c.get("brier").getAsDouble(), c.get("top1").getAsDouble(), c.get("count").getAsLong(),
                        List.copyOf(bins)));
            }
            return new CalibrationFile(source(o), outs);
        });
    }

    /** The run's agreement file, or null if it has none. */
    public static AgreementFile readAgreement(Path run) {
        Path p = path(run, "agreement");
        JsonObject o = read(p);
        if (o == null) {
            return null;
        }
        return parse(p, () -> {
            List<Agreement> pairs = new ArrayList<>();
            for (JsonElement e : o.getAsJsonArray("pairs")) {
                JsonObject j = e.getAsJsonObject();
                pairs.add(new Agreement(j.get("a").getAsString(), j.get("b").getAsString(),
                        j.get("agreement").getAsDouble(), j.get("kl_ab").getAsDouble(), j.get("kl_ba").getAsDouble(),
                        j.get("both_correct").getAsDouble(), j.get("either_correct").getAsDouble(),
                        j.get("count").getAsLong()));
            }
            return new AgreementFile(source(o), pairs);
        });
    }

    /** The run's flatness file, or null if it has none. */
    public static FlatnessFile readFlatness(Path run) {
        Path p = path(run, "flatness");
        JsonObject o = read(p);
        if (o == null) {
            return null;
        }
        return parse(p, () -> {
            List<Flatness> nets = new ArrayList<>();
            for (var e : o.getAsJsonObject("networks").entrySet()) {
                JsonObject j = e.getValue().getAsJsonObject();
                nets.add(new Flatness(e.getKey(), GSON.fromJson(j.get("sigmas"), double[].class),
                        GSON.fromJson(j.get("loss"), double[][].class), GSON.fromJson(j.get("top1"), double[][].class)));
            }
            return new FlatnessFile(source(o), o.get("images").getAsInt(), o.get("draws").getAsInt(),
                    o.get("seed").getAsLong(), nets);
        });
    }

    private static JsonObject header(Source s) {
        JsonObject o = new JsonObject();
        o.addProperty("checkpoint", s.checkpoint());
        o.addProperty("split", s.split());
        return o;
    }

    private static Source source(JsonObject o) {
        return new Source(o.get("checkpoint").getAsString(), o.get("split").getAsString());
    }

    private static double optional(JsonObject j, String key) {
        return j.has(key) ? j.get(key).getAsDouble() : Double.NaN;
    }

    private static Path write(Path file, JsonObject o) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, GSON.toJson(o) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UserError(file + ": cannot write: " + e.getMessage());
        }
    }

    private static JsonObject read(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), JsonObject.class);
        } catch (IOException | JsonParseException e) {
            throw new UserError(file + ": not a readable analysis file (" + e.getMessage() + "); run distill4j "
                    + "analyze again or delete it");
        }
    }

    private static <T> T parse(Path file, Supplier<T> body) {
        try {
            return body.get();
        } catch (RuntimeException e) {
            throw new UserError(file + ": not a valid analysis file (" + e.getMessage() + "); run distill4j "
                    + "analyze again or delete it");
        }
    }
}
