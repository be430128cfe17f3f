package io.distill4j.foreign;

import ai.djl.Device;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.distill4j.UserError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Model files by kind, and the model card that may sit beside one. The kinds: a TorchScript file ({@code .pt},
 * {@code .pth}, {@code .ts}, {@code .torchscript}), an ONNX file ({@code .onnx}), a distill4j export folder (ONNX
 * or DJL, with its {@value #CARD}), and distill4j's own run folders and checkpoints ({@code .ckpt}), which the
 * training side loads as networks.
 */
public final class ModelFiles {
    /** The model card's file name (what {@code distill4j export} writes beside a model). */
    public static final String CARD = "distill4j-model.json";

    /** What a path holds. */
    public enum Kind { TORCHSCRIPT, ONNX, ONNX_EXPORT, DJL_EXPORT, DISTILL4J_CHECKPOINT }

    private ModelFiles() {}

    /** The kind of model at {@code path}; anything else is a one-line error naming it and what would do. */
    public static Kind kind(Path path) {
        if (!Files.exists(path)) {
            throw new UserError(path + ": not found (a TorchScript .pt, an ONNX .onnx, an export folder of distill4j "
                    + "export, a run folder or a .ckpt checkpoint)");
        }
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve(CARD)) && Files.isRegularFile(path.resolve("model.onnx"))) {
                return Kind.ONNX_EXPORT;
            }
            if (Files.isRegularFile(path.resolve(CARD)) && Files.isRegularFile(path.resolve("serving.properties"))) {
                return Kind.DJL_EXPORT;
            }
            if (Files.isDirectory(path.resolve("checkpoints"))) {
                return Kind.DISTILL4J_CHECKPOINT;
            }
            throw new UserError(path + ": a folder that holds no model (expected an export folder with " + CARD
                    + " and model.onnx or serving.properties, or a run folder with checkpoints/)");
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".onnx")) {
            return Kind.ONNX;
        }
        if (name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".ts") || name.endsWith(".torchscript")) {
            return Kind.TORCHSCRIPT;
        }
        if (name.endsWith(".ckpt")) {
            return Kind.DISTILL4J_CHECKPOINT;
        }
        throw new UserError(path + ": unknown model file type (name it .pt for TorchScript, .onnx for ONNX, or "
                + "give a distill4j .ckpt, run folder or export folder)");
    }

    /**
     * Loads a foreign model or a distill4j export ({@code threads}: ONNX Runtime's intra-op threads). TorchScript
     * and DJL models load onto {@code device}; ONNX Runtime runs on the CPU (its CPU build), its inputs and outputs
     * copied through the host, so its results land on the caller's device all the same.
     */
    public static ForeignModel open(Path path, int threads, Device device) {
        return switch (kind(path)) {
            case TORCHSCRIPT -> TorchScriptModel.load(path, device);
            case ONNX -> OnnxModel.load(path, threads);
            case ONNX_EXPORT -> OnnxModel.load(path.resolve("model.onnx"), threads);
            case DJL_EXPORT -> DjlExportModel.load(path, device);
            case DISTILL4J_CHECKPOINT -> throw new IllegalArgumentException(path + " is a distill4j checkpoint");
        };
    }

    /** The card of a model: {@value #CARD} inside an export folder, or beside a model file; null if none. */
    public static Path cardOf(Path model) {
        Path card = Files.isDirectory(model) ? model.resolve(CARD)
                : (model.toAbsolutePath().getParent() == null ? null : model.toAbsolutePath().getParent().resolve(CARD));
        return card != null && Files.isRegularFile(card) ? card : null;
    }

    /**
     * What a model card says of the input contract, each part null where the card is silent: the result's
     * fields are filled in by the caller's fallbacks. A card that is not JSON, or a part of the wrong form, is a
     * one-line error naming the card and key.
     */
    public record CardContract(Integer channels, Integer height, Integer width, float[] mean, float[] std,
                               Boolean normalizedInside, List<String> classNames, List<String> outputs) {}

    public static CardContract readCard(Path card) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(card, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new UserError(card + ": not a model card (expected a JSON object)");
            }
            o = e.getAsJsonObject();
        } catch (IOException | JsonParseException e) {
            throw new UserError(card + ": unreadable model card: " + firstLine(e.getMessage()));
        }
        try {
            JsonObject in = o.has("input") ? o.getAsJsonObject("input") : new JsonObject();
            JsonObject norm = o.has("normalization") ? o.getAsJsonObject("normalization") : new JsonObject();
            Boolean inside = null;
            if (norm.has("applied")) {
                String a = norm.get("applied").getAsString();
                if (!a.equals("inside the model") && !a.equals("by the caller")) {
                    throw new UserError(card + ": normalization.applied: '" + a + "' is not 'inside the model' or "
                            + "'by the caller'");
                }
                inside = a.equals("inside the model");
            }
            List<String> names = null;
            if (o.has("class_names")) {
                names = new ArrayList<>();
                for (JsonElement n : o.getAsJsonArray("class_names")) {
                    names.add(n.getAsString());
                }
            }
            List<String> outputs = null;
            if (o.has("outputs")) {
                outputs = new ArrayList<>();
                for (JsonElement n : o.getAsJsonArray("outputs")) {
                    outputs.add(n.getAsString());
                }
                if (outputs.isEmpty() || !outputs.get(0).equals("logits") || outputs.size() != Set.copyOf(outputs).size()) {
                    throw new UserError(card + ": outputs: " + outputs + " must name the model's outputs in order, "
                            + "logits first, each once (e.g. [logits, features, stage1, stage2, stage3])");
                }
            }
            return new CardContract(intOrNull(in, "channels"), intOrNull(in, "height"), intOrNull(in, "width"),
                    floatsOrNull(norm, "mean"), floatsOrNull(norm, "std"), inside, names, outputs);
        } catch (ClassCastException | IllegalStateException | UnsupportedOperationException e) {
            throw new UserError(card + ": a model card key has the wrong form (" + firstLine(e.getMessage())
                    + "); see the card that distill4j export writes");
        }
    }

    private static Integer intOrNull(JsonObject o, String key) {
        return o.has(key) ? o.get(key).getAsInt() : null;
    }

    private static float[] floatsOrNull(JsonObject o, String key) {
        if (!o.has(key)) {
            return null;
        }
        JsonArray a = o.getAsJsonArray(key);
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = a.get(i).getAsFloat();
        }
        return f;
    }

    static void requireNonEmpty(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new UserError(file + ": not found (or not a file)");
            }
            if (Files.size(file) == 0) {
                throw new UserError(file + ": empty file, not a model");
            }
        } catch (IOException e) {
            throw new UserError(file + ": unreadable: " + e.getMessage());
        }
    }

    /** Intra-op threads for ONNX Runtime: the PyTorch engine's setting, else every core. */
    public static int threads() {
        Integer set = Integer.getInteger("ai.djl.pytorch.num_threads");
        return set != null && set > 0 ? set : Runtime.getRuntime().availableProcessors();
    }

    /** The first line of an engine's message, without its stack of native frames. */
    public static String firstLine(String message) {
        if (message == null) {
            return "no reason given";
        }
        String m = message.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip();
    }
}
