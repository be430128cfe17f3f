package io.distill4j.run;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import io.distill4j.UserError;
import io.distill4j.config.TeacherConfig;
import io.distill4j.data.BatchLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.data.ImageDataset;
import io.distill4j.data.Normalization;
import io.distill4j.foreign.ForeignModel;
import io.distill4j.foreign.InputAdapter;
import io.distill4j.foreign.ModelContract;
import io.distill4j.foreign.ModelFiles;
import io.distill4j.foreign.OnnxModel;
import io.distill4j.knowledge.ForeignTeacher;
import io.distill4j.knowledge.NetTeacher;
import io.distill4j.knowledge.Teacher;
import io.distill4j.models.ModelRegistry;
import io.distill4j.models.Network;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Checkpoints;
import io.distill4j.runtime.Net;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A run's teachers, from {@code teachers:}: each loaded, given its input contract (the model card beside the file,
 * else the teacher's {@code input:} and {@code classes:} keys, else the run's dataset), its classes matched to the
 * dataset's, and checked on a probe batch before the first step, each problem one line naming the file. Then each
 * is scored on the validation split (the test split without one): a teacher at chance level stops the run.
 */
public final class TeacherLoader {
    /** A teacher's top-1 on a split, as printed and recorded in {@code summary.json}. */
    record Score(String teacher, String split, double top1, int images, String describe) {}

    private TeacherLoader() {}

    static Teacher load(TeacherConfig tc, ImageDataset train, Normalization norm, NDManager manager) {
        if (tc.checkpoint() != null) {
            return distill4j(tc, tc.arch(), Path.of(tc.checkpoint()), train, manager);
        }
        Path path = Path.of(tc.model());
        if (ModelFiles.kind(path) == ModelFiles.Kind.DISTILL4J_CHECKPOINT) {
            Path file = checkpointOf(path);
            return distill4j(tc, tc.arch(), file, train, manager);
        }
        ModelContract contract = contract(tc, path, train, norm);
        ForeignModel model = ModelFiles.open(path, ModelFiles.threads(), manager.getDevice());
        try {
            checkInput(model, contract);
            List<String> named = outputNames(path);
            int outputs = probe(model, contract, named);
            if (outputs != train.numClasses()) {
                throw new UserError(path + ": the model returns " + outputs + " outputs per image, the dataset has "
                        + train.numClasses() + " classes (" + String.join(", ", train.classNames()) + ")");
            }
            int[] order = classOrder(path, contract.classNames(), train.classNames());
            InputAdapter adapter = new InputAdapter(train.channels(), train.height(), train.width(), norm.mean(),
                    norm.std(), contract);
            return new ForeignTeacher(tc.name(), model, contract, adapter, order, named);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** A distill4j network from a checkpoint: built, every parameter shape verified, frozen. */
    private static Teacher distill4j(TeacherConfig tc, String arch, Path file, ImageDataset train, NDManager manager) {
        Checkpoint c = Checkpoint.read(file);
        if (arch == null) { // model: a run folder or .ckpt: its config names the architecture
            if (!c.meta().has("networks")) {
                throw new UserError(file + ": not a checkpoint of a distill4j run (it names no networks)");
            }
            JsonObject nets = c.meta().getAsJsonObject("networks");
            String name = tc.network() != null ? tc.network() : nets.keySet().iterator().next();
            if (!nets.has(name)) {
                throw new UserError("teachers." + tc.name() + ".network: '" + name + "' is not a network of " + file
                        + " (it has " + String.join(", ", nets.keySet()) + ")");
            }
            arch = nets.getAsJsonObject(name).get("arch").getAsString();
        }
        NDManager tm = manager.newSubManager();
        Network block = ModelRegistry.buildAndInit(arch, train.channels(), train.numClasses(), train.height(),
                train.width(), tm);
        Net net = new Net(tc.name(), block, tm, null);
        Checkpoints.loadNetwork(c, net, tc.network());
        for (var p : block.getParameters()) {
            p.getValue().getArray().setRequiresGradient(false);
        }
        return new NetTeacher(net, file.toString());
    }

    private static Path checkpointOf(Path source) {
        if (Files.isDirectory(source)) {
            for (String f : List.of("best.ckpt", "last.ckpt")) {
                Path p = source.resolve("checkpoints").resolve(f);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
            throw new UserError(source + ": a run folder without checkpoints/best.ckpt or last.ckpt");
        }
        return source;
    }

    /** The input contract: the card beside the model, else the config's keys, else the dataset's, part by part. */
    public static ModelContract contract(TeacherConfig tc, Path model, ImageDataset train, Normalization norm) {
        Path cardFile = ModelFiles.cardOf(model);
        ModelFiles.CardContract card = cardFile == null ? null : ModelFiles.readCard(cardFile);
        TeacherConfig.Input in = tc.input();
        int channels = first(card == null ? null : card.channels(), in == null ? null : in.channels(), train.channels());
        int height = first(card == null ? null : card.height(), in == null ? null : in.height(), train.height());
        int width = first(card == null ? null : card.width(), in == null ? null : in.width(), train.width());
        Boolean inside = card == null ? null : card.normalizedInside();
        if (inside == null && in != null && in.normalization() != null) {
            inside = in.normalization().equals("inside");
        }
        float[] mean = first(card == null ? null : card.mean(), in == null ? null : in.mean(), null);
        float[] std = first(card == null ? null : card.std(), in == null ? null : in.std(), null);
        if (mean == null || std == null) { // the dataset's statistics, when the model takes its input form
            if (channels != norm.mean().length) {
                throw new UserError("teachers." + tc.name() + ": " + model + " takes " + channels + " channels and the "
                        + "dataset has " + norm.mean().length + ": give the model's normalisation as teachers."
                        + tc.name() + ".input.mean and .std (or a model card beside the file)");
            }
            mean = mean == null ? norm.mean() : mean;
            std = std == null ? norm.std() : std;
        }
        if (mean.length != channels || std.length != channels) {
            throw new UserError("teachers." + tc.name() + ": " + model + ": the normalisation has " + mean.length
                    + " mean and " + std.length + " std values for a " + channels + "-channel input");
        }
        List<String> names = card != null && card.classNames() != null ? card.classNames()
                : tc.classes() != null ? tc.classes() : train.classNames();
        return new ModelContract(channels, height, width, mean, std, inside != null && inside, names);
    }

    @SafeVarargs
    private static <T> T first(T... options) {
        for (T o : options) {
            if (o != null) {
                return o;
            }
        }
        return null;
    }

    /** An ONNX model declares its input's shape: a fixed channel count or size must be the contract's. */
    private static void checkInput(ForeignModel model, ModelContract contract) {
        if (!(model instanceof OnnxModel onnx)) {
            return;
        }
        long[] s = onnx.declaredInputShape();
        long[] want = {-1, contract.channels(), contract.height(), contract.width()};
        String[] what = {"batch", "channels", "height", "width"};
        for (int i = 1; i < 4; i++) {
            if (s[i] > 0 && s[i] != want[i]) {
                throw new UserError(model.file() + ": the model's input has " + s[i] + " " + what[i] + " where its "
                        + "contract says " + want[i] + " (input " + Arrays.toString(s) + "; contract "
                        + contract.describe() + ")");
            }
        }
    }

    /** What the model's card names its outputs ({@code logits} first), or null: the model returns logits only. */
    private static List<String> outputNames(Path model) {
        Path card = ModelFiles.cardOf(model);
        return card == null ? null : ModelFiles.readCard(card).outputs();
    }

    /**
     * Runs a batch of two blank images through the model: its logits must be (2, K); returns K. With named outputs,
     * the model returns as many, {@code features} (2, D) and each feature map (2, C, H, W).
     */
    private static int probe(ForeignModel model, ModelContract contract, List<String> named) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(2, contract.channels(), contract.height(), contract.width()));
            NDList all;
            try {
                all = named == null ? new NDList(model.forward(x)) : model.forwardAll(x);
            } catch (EngineException | IllegalStateException | IllegalArgumentException e) {
                throw new UserError(model.file() + ": the model does not take its contract's input ("
                        + contract.channels() + "x" + contract.height() + "x" + contract.width() + " images, rank 4): "
                        + ModelFiles.firstLine(e.getMessage()));
            }
            if (named != null && all.size() != named.size()) {
                throw new UserError(model.file() + ": the model returns " + all.size() + " outputs where its card's "
                        + "outputs names " + named.size() + " (" + String.join(", ", named) + ")");
            }
            NDArray out = all.get(0);
            long[] s = out.getShape().getShape();
            if (s.length != 2 || s[0] != 2) {
                throw new UserError(model.file() + ": the model's output for 2 images has shape " + out.getShape()
                        + "; a classifier returns logits (N, classes)");
            }
            for (int i = 1; named != null && i < named.size(); i++) {
                int rank = named.get(i).equals("features") ? 2 : 4;
                Shape o = all.get(i).getShape();
                if (o.dimension() != rank || o.get(0) != 2) {
                    throw new UserError(model.file() + ": output " + i + " (" + named.get(i) + ") has shape " + o
                            + " for 2 images; " + (rank == 2 ? "features are (N, D)" : "a feature map is (N, C, H, W)"));
                }
            }
            return (int) s[1];
        }
    }

    /** Where each dataset class is among the model's outputs; null when in the same order. */
    static int[] classOrder(Path model, List<String> modelNames, List<String> datasetNames) {
        if (modelNames.equals(datasetNames)) {
            return null;
        }
        Set<String> onlyModel = new LinkedHashSet<>(modelNames);
        onlyModel.removeAll(datasetNames);
        Set<String> onlyData = new LinkedHashSet<>(datasetNames);
        onlyData.removeAll(modelNames);
        if (!onlyModel.isEmpty() || !onlyData.isEmpty() || modelNames.size() != datasetNames.size()) {
            throw new UserError(model + ": the model's classes differ from the dataset's: only the model has "
                    + onlyModel + ", only the dataset has " + onlyData + " (name the model's classes in output order "
                    + "with teachers.NAME.classes, or in its model card's class_names)");
        }
        int[] order = new int[datasetNames.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = modelNames.indexOf(datasetNames.get(i));
        }
        return order;
    }

    /** Top-1 of a teacher on a split's unaugmented batches, each batch in its own native scope. */
    static Score score(Teacher t, BatchLoader loader, String split, NDManager manager) {
        long correct = 0;
        int n = 0;
        for (int b = 0; b < loader.batchesPerEpoch(); b++) {
            HostBatch hb = loader.batch(0, b);
            try (NDManager bm = manager.newSubManager()) {
                int[] pred = t.logits(hb.view(bm, 0)).argMax(1).toType(DataType.INT32, false)
                        .toIntArray();
                for (int i = 0; i < pred.length; i++) {
                    correct += pred[i] == hb.labels()[i] ? 1 : 0;
                }
                n += pred.length;
            }
        }
        return new Score(t.name(), split, n == 0 ? 0 : (double) correct / n, n, t.describe());
    }

    /**
     * Stops the run when a teacher is no better than chance: more than three standard errors above 1/classes is
     * required (on 2,000 images of 10 classes: above 12%).
     */
    static void requireAboveChance(Score s, int classes, String source) {
        double p = 1.0 / classes;
        double threshold = p + 3 * Math.sqrt(p * (1 - p) / Math.max(1, s.images()));
        if (s.top1() <= threshold) {
            throw new UserError(String.format(Locale.ROOT, "teachers.%s: %s scores %.1f%% top-1 on the %s split, no "
                            + "better than chance (%.1f%%): its input contract is the likely cause (normalisation, "
                            + "class order, input size: %s)", s.teacher(), source, 100 * s.top1(), s.split(),
                    100 * p, s.describe()));
        }
    }

    static List<Teacher> loadAll(List<TeacherConfig> configs, ImageDataset train, Normalization norm, NDManager m) {
        List<Teacher> out = new ArrayList<>();
        try {
            for (TeacherConfig tc : configs) {
                out.add(load(tc, train, norm, m));
            }
            return out;
        } catch (RuntimeException e) {
            out.forEach(Teacher::close);
            throw e;
        }
    }
}
