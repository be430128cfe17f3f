package io.distill4j.export;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.config.RunConfig;
import io.distill4j.data.Normalization;
import io.distill4j.models.ModelRegistry;
import io.distill4j.run.DataContract;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Checkpoints;
import io.distill4j.runtime.Net;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One network of a distill4j checkpoint, ready to ship: its weights in a {@link ClassifierBlock} (the dataset's
 * normalisation in front, logits out) and its {@link ModelCard}. The data's class names, image shape and
 * normalisation are the run's: from the checkpoint's {@link DataContract}, or, in an older checkpoint, from the
 * run's config's data read alone (no run is built: teachers are neither loaded nor scored). The weights are loaded
 * by name and shape as every restore does.
 */
public final class TrainedNetwork implements AutoCloseable {
    /** OKDCR's second heads: {@code linear-<features>-<classes>}, named {@code <peer>.c2}. */
    private static final Pattern HEAD = Pattern.compile("linear-(\\d+)-(\\d+)");

    private final NDManager manager;
    private final ClassifierBlock block;
    private final ModelCard card;

    private TrainedNetwork(NDManager manager, ClassifierBlock block, ModelCard card) {
        this.manager = manager;
        this.block = block;
        this.card = card;
    }

    public ClassifierBlock block() { return block; }

    public ModelCard card() { return card; }

    public NDManager manager() { return manager; }

    /**
     * Loads network {@code network} (null: the config's first network) of a checkpoint, or of a run folder (its
     * {@code checkpoints/best.ckpt}, else {@code last.ckpt}).
     */
    public static TrainedNetwork load(Path source, String network) {
        Saved saved = Saved.read(source, network);
        Path file = saved.file();
        Checkpoint c = saved.checkpoint();
        String name = saved.name();
        JsonObject nets = c.meta().getAsJsonObject("networks");
        if (ScriptedExport.isScripted(c, name)) {
            throw new UserError("'" + name + "' of " + file + " is a TorchScript student (networks." + name + ".model): "
                    + "export it with --format torchscript (for ONNX, then in PyTorch: torch.onnx.export(torch.jit.load("
                    + "'model.pt'), torch.rand(1, C, H, W), 'model.onnx'))");
        }
        String arch = nets.getAsJsonObject(name).get("arch").getAsString();
        String bodyName = name;
        String headArch = null;
        if (HEAD.matcher(arch).matches()) { // a second head: the network it sits on is <peer> of <peer>.c2
            int dot = name.lastIndexOf('.');
            bodyName = dot > 0 ? name.substring(0, dot) : "";
            if (!nets.has(bodyName)) {
                throw new UserError("--network: '" + name + "' is a classifier head (" + arch + ") whose network '"
                        + bodyName + "' is not in " + file + " (it has " + String.join(", ", nets.keySet()) + ")");
            }
            headArch = arch;
            arch = nets.getAsJsonObject(bodyName).get("arch").getAsString();
        }
        try {
            ModelRegistry.build(arch, 1, 2);
        } catch (UserError e) {
            throw new UserError("--network: '" + name + "' of " + file + " is " + arch + ", not an image classifier "
                    + "(choose one of " + String.join(", ", classifiers(nets)) + ")");
        }
        DataContract data = saved.data();
        Normalization norm = data.normalization();
        int classes = data.classes();
        if (headArch != null) {
            Matcher m = HEAD.matcher(headArch);
            if (m.matches() && Integer.parseInt(m.group(2)) != classes) {
                throw new UserError(file + ": head '" + name + "' has " + m.group(2) + " classes, the data " + classes);
            }
        }
        NDManager manager = NDManager.newBaseManager();
        try {
            ClassifierBlock block = new ClassifierBlock(arch, headArch, data.channels(), classes, norm.mean(),
                    norm.std()).allocate(manager, data.channels(), data.height(), data.width());
            Checkpoints.loadNetwork(c, new Net(bodyName, block.network(), manager, null), bodyName);
            if (headArch != null) {
                Checkpoints.loadNetwork(c, new Net(name, block.head(), manager, null), name);
            }
            ModelCard card = saved.card(arch, name, headArch);
            return new TrainedNetwork(manager, block, card);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A network of a checkpoint as the exporters read it: the file, the checkpoint, the run's config, the network's
     * name (null asked: the config's first) and the data it was trained on (from the checkpoint's
     * {@link DataContract}, or, in an older checkpoint, from the config's data read alone).
     */
    record Saved(Path file, Checkpoint checkpoint, RunConfig config, String name, DataContract data) {
        static Saved read(Path source, String network) {
            Path file = checkpointOf(source);
            Checkpoint c = Checkpoint.read(file);
            if (!c.meta().has("config") || !c.meta().has("networks")) {
                throw new UserError(file + ": not a checkpoint of a distill4j run (it has no config or networks)");
            }
            RunConfig cfg = ConfigLoader.loadText(c.meta().get("config").getAsString(), file + " (its config)",
                    List.of());
            JsonObject nets = c.meta().getAsJsonObject("networks");
            String name = network != null ? network : cfg.networks().get(0).name();
            if (!nets.has(name)) {
                throw new UserError("--network: '" + name + "' is not a network of " + file + " (it has "
                        + String.join(", ", nets.keySet()) + ")");
            }
            DataContract data = DataContract.fromMeta(c.meta()); // written by runs since 2026-12-07
            return new Saved(file, c, cfg, name, data != null ? data : DataContract.of(cfg));
        }

        /** The card of network {@code network} ({@code arch}, on a {@code head} or null) of this checkpoint. */
        ModelCard card(String arch, String network, String head) {
            JsonObject meta = checkpoint.meta();
            long step = meta.has("step") ? meta.get("step").getAsLong() : -1;
            String method = meta.has("method") ? meta.get("method").getAsString() : config.methodName();
            return new ModelCard(arch, network, head, data.classNames(), data.channels(), data.height(), data.width(),
                    data.normalization().mean(), data.normalization().std(), config.data().name(), method,
                    file.toString(), step, meta.get("config").getAsString());
        }
    }

    /** The checkpoint a path names: the file itself, or a run folder's best (else last) checkpoint. */
    public static Path checkpointOf(Path source) {
        if (Files.isDirectory(source)) {
            for (String f : List.of("best.ckpt", "last.ckpt")) {
                Path p = source.resolve("checkpoints").resolve(f);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
            throw new UserError(source + ": not a run folder (no checkpoints/best.ckpt or checkpoints/last.ckpt) "
                    + "nor a checkpoint file");
        }
        if (!Files.exists(source)) {
            throw new UserError(source + ": not found (give a checkpoint, e.g. OUT/checkpoints/best.ckpt, or a run "
                    + "folder OUT)");
        }
        return source;
    }

    private static List<String> classifiers(JsonObject nets) {
        List<String> out = new ArrayList<>();
        for (String n : nets.keySet()) {
            String a = nets.getAsJsonObject(n).get("arch").getAsString();
            if (HEAD.matcher(a).matches()) {
                out.add(n);
                continue;
            }
            try {
                ModelRegistry.build(a, 1, 2);
                out.add(n);
            } catch (UserError e) {
                // not a classifier of images (e.g. MEAL V2's discriminator)
            }
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
