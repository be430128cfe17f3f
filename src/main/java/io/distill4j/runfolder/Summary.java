package io.distill4j.runfolder;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.distill4j.UserError;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The end-of-run report: {@code OUT/summary.json} (a contract other tools read) and its table on the console.
 * Accuracies are fractions in [0, 1].
 */
public final class Summary {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().serializeSpecialFloatingPointValues()
            .create();

    /**
     * One output's scores: test top-1 at the selected epoch ({@code bestTop1}; see {@code training.BestTracker})
     * and at the last, validation top-1 at the selected epoch and training-split fit at the last (NaN when the
     * run has no such split).
     */
    public record Entry(String arch, double bestTop1, double lastTop1, long params, double bestValidationTop1,
                        double lastTrainTop1) {
        public Entry(String arch, double bestTop1, double lastTop1, long params) {
            this(arch, bestTop1, lastTop1, params, Double.NaN, Double.NaN);
        }
    }

    /**
     * What training cost: images forwarded and backpropagated over all networks, training seconds (steps only)
     * and the images per second of the training set through the step.
     */
    public record Cost(long imagesForwarded, long imagesBackpropagated, double trainSeconds, double imagesPerSec,
                       int epochs, long steps) {}

    private final String method;
    private final double wallSeconds;
    private final double trainImagesPerSec;
    private final int bestEpoch;
    private final Map<String, Entry> networks = new LinkedHashMap<>();
    private long skippedBatches;
    private int skippedImages;
    private List<String> notes = List.of();
    private List<Map<String, Object>> teachers = List.of();
    private List<JsonObject> machines = List.of();
    private String selection = "test";
    private Long seed;
    private Cost cost;

    public Summary(String method, double wallSeconds, double trainImagesPerSec, int bestEpoch) {
        this.method = method;
        this.wallSeconds = wallSeconds;
        this.trainImagesPerSec = trainImagesPerSec;
        this.bestEpoch = bestEpoch;
    }

    /** Batches skipped for a non-finite loss (train.on_nan: skip_batch); written when not 0. */
    public void skippedBatches(long n) { this.skippedBatches = n; }

    public long skippedBatches() { return skippedBatches; }

    /** Distinct unreadable image files skipped (data.on_bad_image: skip); written when not 0. */
    public void skippedImages(int n) { this.skippedImages = n; }

    /** What selected the best epoch: {@code validation} or {@code test}. */
    public void selection(String s) { this.selection = s; }

    public String selection() { return selection; }

    public void seed(long s) { this.seed = s; }

    public void cost(Cost c) { this.cost = c; }

    public Cost cost() { return cost; }

    /** The teachers' top-1 as scored before the first step (teacher, split, top1, images, model). */
    public void teachers(List<Map<String, Object>> t) { this.teachers = List.copyOf(t); }

    /** The machines the run ran on: where it started, then each resume ({@link RunMachines}). */
    public void machines(List<JsonObject> m) { this.machines = List.copyOf(m); }

    /** The method's notes (e.g. a knowledge store's size), written when there are any. */
    public void notes(List<String> n) { this.notes = List.copyOf(n); }

    public void add(String name, String arch, double bestTop1, double lastTop1, long params) {
        networks.put(name, new Entry(arch, bestTop1, lastTop1, params));
    }

    public void add(String name, Entry e) {
        networks.put(name, e);
    }

    public boolean has(String name) { return networks.containsKey(name); }

    public Map<String, Entry> networks() { return networks; }

    public String method() { return method; }

    public double wallSeconds() { return wallSeconds; }

    public double trainImagesPerSec() { return trainImagesPerSec; }

    /** The epoch whose checkpoint is {@code best.ckpt} (1-based; see {@link #selection()}). */
    public int bestEpoch() { return bestEpoch; }

    /** A number, or JSON null for a value that was never measured (strict JSON has no NaN). */
    private static JsonElement number(double v) {
        return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("method", method);
        if (seed != null) {
            o.addProperty("seed", seed);
        }
        o.addProperty("selection", selection);
        JsonObject nets = new JsonObject();
        for (var e : networks.entrySet()) {
            JsonObject n = new JsonObject();
            n.addProperty("arch", e.getValue().arch());
            n.add("best_top1", number(e.getValue().bestTop1()));
            n.add("last_top1", number(e.getValue().lastTop1()));
            n.addProperty("params", e.getValue().params());
            if ("validation".equals(selection)) {
                n.add("best_validation_top1", number(e.getValue().bestValidationTop1()));
            }
            if (!Double.isNaN(e.getValue().lastTrainTop1())) {
                n.add("last_train_top1", number(e.getValue().lastTrainTop1()));
            }
            nets.add(e.getKey(), n);
        }
        o.add("networks", nets);
        o.addProperty("best_epoch", bestEpoch);
        o.addProperty("wall_seconds", wallSeconds);
        o.addProperty("train_images_per_sec", trainImagesPerSec);
        if (cost != null) {
            JsonObject c = new JsonObject();
            c.addProperty("images_forwarded", cost.imagesForwarded());
            c.addProperty("images_backpropagated", cost.imagesBackpropagated());
            c.addProperty("train_seconds", cost.trainSeconds());
            c.add("images_per_sec", number(cost.imagesPerSec()));
            c.addProperty("epochs", cost.epochs());
            c.addProperty("steps", cost.steps());
            o.add("cost", c);
        }
        if (skippedBatches > 0) {
            o.addProperty("skipped_batches", skippedBatches);
        }
        if (skippedImages > 0) {
            o.addProperty("skipped_images", skippedImages);
        }
        if (!teachers.isEmpty()) {
            o.add("teachers", new Gson().toJsonTree(teachers));
        }
        if (!machines.isEmpty()) {
            JsonArray m = new JsonArray();
            machines.forEach(m::add);
            o.add("machines", m);
        }
        if (!notes.isEmpty()) {
            JsonArray a = new JsonArray();
            notes.forEach(a::add);
            o.add("notes", a);
        }
        return o;
    }

    public void write(Path file) {
        try {
            Files.writeString(file, GSON.toJson(toJson()) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError(file + ": cannot write summary: " + e.getMessage());
        }
    }

    /** The human-readable report printed at the end of a run. */
    public void print(PrintStream out, Path outDir) {
        out.println();
        out.printf(Locale.ROOT, "method %s  |  wall %s  |  %.0f train images/s%n", method,
                Progress.clock(wallSeconds), trainImagesPerSec);
        String bestLabel = "validation".equals(selection) ? "sel. top1" : "best top1";
        out.printf(Locale.ROOT, "%-14s %-14s %10s %10s %10s%n", "network", "arch", bestLabel, "last top1", "params");
        String winner = null;
        double top = -1;
        for (var e : networks.entrySet()) {
            Entry v = e.getValue();
            out.printf(Locale.ROOT, "%-14s %-14s %9.2f%% %9.2f%% %10s%n", e.getKey(), v.arch(), 100 * v.bestTop1(),
                    100 * v.lastTop1(), v.params() > 0 ? String.format(Locale.ROOT, "%.2fM", v.params() / 1e6) : "-");
            if (v.bestTop1() > top) {
                top = v.bestTop1();
                winner = e.getKey();
            }
        }
        if (networks.size() > 1 && winner != null) {
            out.printf(Locale.ROOT, "best: %s (%.2f%%)%n", winner, 100 * top);
        }
        out.println("validation".equals(selection)
                ? "sel. top1: test top-1 at the epoch selected on the validation split (epoch " + bestEpoch + ")"
                : "best top1: highest test top-1 over the evaluations (selected on the test set: optimistic; "
                        + "hold out data.validation to select honestly)");
        if (outDir != null) {
            out.println("outputs: " + outDir + " (summary.json, metrics.jsonl, config.yaml, checkpoints/)");
        }
    }
}
