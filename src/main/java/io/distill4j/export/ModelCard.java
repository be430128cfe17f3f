package io.distill4j.export;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.distill4j.UserError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a user needs beside the weights of an exported network: its classes, the input it takes, the normalisation
 * (applied inside the exported model, recorded for reference) and where it came from (the checkpoint, the run's
 * config). Written as {@value #FILE} in every export and, key by key, into the ONNX file's metadata.
 *
 * <p>The input of every exported model: float32 (N, channels, height, width), pixel values scaled to [0, 1] (RGB
 * planes in that order, or one gray plane); the model subtracts {@code mean} and divides by {@code std} per channel
 * itself, then returns logits (N, classes).
 *
 * @param arch        the network's architecture (e.g. {@code resnet8})
 * @param network     its name in the checkpoint (e.g. {@code student})
 * @param head        the architecture of a second classifier head used instead of the network's own (OKDCR's
 *                    {@code <peer>.c2}), or null
 * @param classNames  class i's name at index i
 * @param dataset     the dataset the run trained on
 * @param method      the run's method
 * @param checkpoint  the checkpoint file the weights came from
 * @param step        the global step of that checkpoint
 * @param config      the run's resolved config (YAML)
 */
public record ModelCard(String arch, String network, String head, List<String> classNames, int channels, int height,
                        int width, float[] mean, float[] std, String dataset, String method, String checkpoint,
                        long step, String config) {
    /** The card's file name in an export folder. */
    public static final String FILE = "distill4j-model.json";
    public static final int VERSION = 1;
    public static final String PRODUCER = "distill4j 0.1.0";
    /** How the input is described to users (the ONNX doc string, the README). */
    public static final String INPUT = "float32 (N, C, H, W), pixel values scaled to [0, 1] (RGB or gray); "
            + "normalisation (x - mean) / std is applied inside the model";

    public ModelCard {
        classNames = List.copyOf(classNames);
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("normalisation of " + mean.length + " channels for " + channels);
        }
    }

    public int numClasses() { return classNames.size(); }

    /** The JSON form (also what the ONNX metadata's values hold, key by key). */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("format_version", VERSION);
        o.addProperty("producer", PRODUCER);
        o.addProperty("arch", arch);
        o.addProperty("network", network);
        if (head != null) {
            o.addProperty("head", head);
        }
        JsonArray names = new JsonArray();
        classNames.forEach(names::add);
        o.add("class_names", names);
        JsonObject input = new JsonObject();
        input.addProperty("channels", channels);
        input.addProperty("height", height);
        input.addProperty("width", width);
        input.addProperty("layout", "NCHW");
        input.addProperty("range", "[0, 1]");
        input.addProperty("description", INPUT);
        o.add("input", input);
        JsonObject norm = new JsonObject();
        norm.add("mean", floats(mean));
        norm.add("std", floats(std));
        norm.addProperty("applied", "inside the model");
        o.add("normalization", norm);
        o.addProperty("dataset", dataset);
        o.addProperty("method", method);
        o.addProperty("checkpoint", checkpoint);
        o.addProperty("step", step);
        o.addProperty("config", config);
        return o;
    }

    /** The card as ONNX metadata: each top-level key, its value as JSON text (strings unquoted). */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        for (var e : toJson().entrySet()) {
            JsonElement v = e.getValue();
            m.put(e.getKey(), v.isJsonPrimitive() && v.getAsJsonPrimitive().isString() ? v.getAsString() : v.toString());
        }
        return m;
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(toJson())
                + "\n", StandardCharsets.UTF_8);
    }

    /** Reads a card; a missing file, broken JSON or a missing key is a one-line error naming the file and key. */
    public static ModelCard read(Path file) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new UserError(file + ": not a distill4j model card (expected a JSON object)");
            }
            o = e.getAsJsonObject();
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": not found (an export folder holds " + FILE + ")");
        } catch (IOException | JsonParseException e) {
            throw new UserError(file + ": unreadable model card: " + e.getMessage());
        }
        try {
            int version = o.get("format_version").getAsInt();
            if (version != VERSION) {
                throw new UserError(file + ": format_version " + version + " is not supported (this distill4j reads "
                        + VERSION + ")");
            }
            JsonObject input = o.getAsJsonObject("input");
            JsonObject norm = o.getAsJsonObject("normalization");
            List<String> names = new ArrayList<>();
            o.getAsJsonArray("class_names").forEach(n -> names.add(n.getAsString()));
            return new ModelCard(o.get("arch").getAsString(), o.get("network").getAsString(),
                    o.has("head") ? o.get("head").getAsString() : null, names, input.get("channels").getAsInt(),
                    input.get("height").getAsInt(), input.get("width").getAsInt(), floats(norm.getAsJsonArray("mean")),
                    floats(norm.getAsJsonArray("std")), o.get("dataset").getAsString(), o.get("method").getAsString(),
                    o.get("checkpoint").getAsString(), o.get("step").getAsLong(), o.get("config").getAsString());
        } catch (NullPointerException | IllegalStateException | ClassCastException | UnsupportedOperationException
                 | IllegalArgumentException e) {
            throw new UserError(file + ": model card lacks a key or has a wrong value (" + e.getMessage() + "); "
                    + "re-export the model");
        }
    }

    private static JsonArray floats(float[] a) {
        JsonArray j = new JsonArray();
        for (float v : a) {
            j.add(v);
        }
        return j;
    }

    private static float[] floats(JsonArray j) {
        float[] a = new float[j.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = j.get(i).getAsFloat();
        }
        return a;
    }
}
