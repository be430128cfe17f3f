package io.distill4j.export;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.config.RunConfig;
import io.distill4j.run.DataContract;
import io.distill4j.runtime.Checkpoint;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

    /**
     * Whether network {@code network} (null: the config's first) of a checkpoint or run folder is a TorchScript
     * student; false for anything that is not a readable checkpoint (the exporter then says what it is).
     */
    public static boolean isScripted(Path source, String network) {
        try {
            Checkpoint c = Checkpoint.read(TrainedNetwork.checkpointOf(source));
            if (!c.meta().has("config")) {
                return false;
            }
            String name = network != null ? network : ConfigLoader.loadText(c.meta().get("config").getAsString(),
                    "config", List.of()).networks().get(0).name();
            return isScripted(c, name);
        } catch (UserError e) {
            return false;
        }
    }

    /** Writes the export folder {@code out} (whole or not at all, as {@link Exporter} does). */
    public static ModelCard export(Path source, String network, Path out, boolean force) {
        Path file = TrainedNetwork.checkpointOf(source);
        Checkpoint c = Checkpoint.read(file);
        if (!c.meta().has("config") || !c.meta().has("networks")) {
            throw new UserError(file + ": not a checkpoint of a distill4j run (it has no config or networks)");
        }
        RunConfig cfg = ConfigLoader.loadText(c.meta().get("config").getAsString(), file + " (its config)", List.of());
        String name = network != null ? network : cfg.networks().get(0).name();
        if (!c.meta().getAsJsonObject("networks").has(name)) {
            throw new UserError("--network: '" + name + "' is not a network of " + file);
        }
        if (!isScripted(c, name)) {
            throw new UserError("--format torchscript: '" + name + "' of " + file + " is a distill4j architecture, "
                    + "not a TorchScript student (networks." + name + ".model); export it as onnx or djl");
        }
        DataContract data = DataContract.fromMeta(c.meta());
        if (data == null) {
            data = DataContract.of(cfg);
        }
        String arch = c.meta().getAsJsonObject("networks").getAsJsonObject(name).get("arch").getAsString();
        long step = c.meta().has("step") ? c.meta().get("step").getAsLong() : -1;
        String method = c.meta().has("method") ? c.meta().get("method").getAsString() : cfg.methodName();
        ModelCard card = new ModelCard(arch, name, null, data.classNames(), data.channels(), data.height(),
                data.width(), data.normalization().mean(), data.normalization().std(), cfg.data().name(), method,
                file.toString(), step, c.meta().get("config").getAsString());
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
