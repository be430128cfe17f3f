package io.distill4j.export;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.distill4j.UserError;
import io.distill4j.runtime.Checkpoint;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code export --format torchscript}: a TorchScript student (a network trained from {@code networks.NAME.model})
 * handed back as the module PyTorch saves, {@code model.pt} (its trained parameters and running statistics, as the
 * checkpoint carries it), with its card beside it ({@value ModelCard#FILE}: class names, input shape, and the
 * normalisation the caller applies, as the module was trained on normalised images). {@code torch.jit.load} reads
 * it, and distill4j reads it as a model from elsewhere ({@code eval --model}, {@code predict --model}, a teacher's
 * {@code model:}). A distill4j architecture exports to ONNX or DJL instead.
 */
public final class ScriptedExport {
    /** The file the module is written to. */
    public static final String FILE = "model.pt";

    private ScriptedExport() {}

    /** Whether network {@code name} of the checkpoint is a TorchScript student. */
    public static boolean isScripted(Checkpoint c, String name) {
        return c.has("net/" + name + "/module");
    }

    /** Writes the export folder {@code out} (whole or not at all, as {@link Exporter} does). */
    public static ModelCard export(Path source, String network, Path out, boolean force) {
        TrainedNetwork.Saved saved = TrainedNetwork.Saved.read(source, network);
        Checkpoint c = saved.checkpoint();
        String name = saved.name();
        if (!isScripted(c, name)) {
            throw new UserError("--format torchscript: '" + name + "' of " + saved.file() + " is a distill4j "
                    + "architecture, not a TorchScript student (networks." + name + ".model); export it as onnx or djl");
        }
        String arch = c.meta().getAsJsonObject("networks").getAsJsonObject(name).get("arch").getAsString();
        ModelCard card = saved.card(arch, name, null);
        byte[] module = c.bytes("net/" + name + "/module");
        Exporter.writeFolder(out, force, tmp -> {
            Files.write(tmp.resolve(FILE), module);
            JsonObject json = card.toJson();
            json.getAsJsonObject("normalization").addProperty("applied", "by the caller");
            json.getAsJsonObject("input").addProperty("description", "float32 (N, C, H, W) pixels in [0, 1], "
                    + "normalised by the caller with normalization.mean and .std; returns logits (N, classes)");
            Files.writeString(tmp.resolve(ModelCard.FILE), new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
                    .create().toJson(json) + "\n", StandardCharsets.UTF_8);
        });
        return card;
    }
}
