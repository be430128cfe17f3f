package io.distill4j.run;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.distill4j.UserError;
import io.distill4j.config.ConfigNode;
import io.distill4j.config.NetworkConfig;
import io.distill4j.config.RunConfig;
import io.distill4j.config.TeacherConfig;
import io.distill4j.data.BatchLoader;
import io.distill4j.data.ImageDataset;
import io.distill4j.data.LabelNoise;
import io.distill4j.data.Normalization;
import io.distill4j.foreign.ScriptedStudent;
import io.distill4j.foreign.TorchvisionInit;
import io.distill4j.knowledge.Teacher;
import io.distill4j.knowledge.TeacherOutputs;
import io.distill4j.knowledge.TeacherViews;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodRegistry;
import io.distill4j.methods.MethodSetup;
import io.distill4j.models.ModelRegistry;
import io.distill4j.models.Network;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Checkpoints;
import io.distill4j.runtime.Devices;
import io.distill4j.runtime.Net;
import io.distill4j.runtime.Optimizers;
import io.distill4j.runtime.Stateful;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Everything a run is made of, built from a validated config: the data, the networks with their optimizers,
 * and the method. Shared by {@code train} and {@code eval}.
 */
public final class Run implements AutoCloseable {
    private final RunConfig config;
    private final NDManager manager;
    private final DataPipeline data;
    private final DataPipeline.Loaders loaders;
    private final List<Net> nets;
    private final List<Teacher> teachers;
    private final Method method;
    private final List<TeacherLoader.Score> teacherScores = new ArrayList<>();
    private TeacherOutputs teacherOutputs;
    private TeacherViews teacherViews;
    private int[] teacherViewRows; // per training image, its row in teacherViews

    private Run(RunConfig config, NDManager manager, DataPipeline data, DataPipeline.Loaders loaders, List<Net> nets,
                List<Teacher> teachers, Method method) {
        this.config = config;
        this.manager = manager;
        this.data = data;
        this.loaders = loaders;
        this.nets = List.copyOf(nets);
        this.teachers = List.copyOf(teachers);
        this.method = method;
    }

    /**
     * Builds a run from a config: checked whole first ({@link #validate}), then the engine (threads, the seed of
     * parameter initialisation), the data ({@link DataPipeline}), the method, the networks, the teachers, and the
     * loaders (as many views as the method asks for).
     */
    public static Run build(RunConfig cfg) {
        MethodRegistry.Resolved resolved = validate(cfg, p -> true);
        Engine.getInstance(); // load the engine before touching its settings
        JniUtils.setNumThreads(cfg.train().resolvedThreads());
        Engine.getInstance().setRandomSeed((int) cfg.seed()); // parameter initialisation
        Device runDevice = device(cfg); // every device checked before any data is read
        for (NetworkConfig nc : cfg.networks()) {
            device(cfg, nc);
        }
        DataPipeline data = DataPipeline.build(cfg);
        ImageDataset train = data.train();
        List<String> names = cfg.networks().stream().map(NetworkConfig::name).toList();
        Optimizers optimizers = new Optimizers(cfg.optim());
        Method method = resolved.create(new MethodSetup(cfg, names, train.numClasses(), train.size(), optimizers,
                train.labels()));
        NDManager manager = NDManager.newBaseManager(runDevice); // batches, teachers, evaluation, method arrays
        List<Net> nets = new ArrayList<>();
        List<Teacher> teachers = new ArrayList<>();
        try {
            for (NetworkConfig nc : cfg.networks()) {
                nets.add(network(cfg, nc, train, optimizers, manager));
            }
            teachers.addAll(TeacherLoader.loadAll(cfg.teachers(), train, data.normalization(), manager));
            for (Net n : nets) {
                n.block().setChannelsLast(cfg.train().channelsLast());
            }
            for (Teacher t : teachers) {
                if (t.net() != null) {
                    t.net().block().setChannelsLast(cfg.train().channelsLast());
                }
            }
            method.attach(manager, nets, teachers);
            Run run = new Run(cfg, manager, data, data.loaders(cfg, method.views(), method.strongViews()), nets, teachers, method);
            run.scoreTeachers();
            return run;
        } catch (RuntimeException e) {
            teachers.forEach(Teacher::close);
            manager.close();
            throw e;
        }
    }

    /**
     * Each teacher's top-1 on the validation split (the test split without one), printed and kept for
     * {@code summary.json}; a model from elsewhere no better than chance stops the run before its first step (a
     * distill4j teacher of the run's dataset shares its input contract by construction).
     */
    private void scoreTeachers() {
        String split = loaders.validation() != null ? "validation" : "test";
        BatchLoader loader = loaders.validation() != null ? loaders.validation() : loaders.test();
        for (int i = 0; i < teachers.size(); i++) {
            TeacherLoader.Score s = TeacherLoader.score(teachers.get(i), loader, split, manager);
            teacherScores.add(s);
            System.err.printf(Locale.ROOT, "distill4j: teacher %s: top-1 %.2f%% on the %s split (%d images); "
                    + "%s%n", s.teacher(), 100 * s.top1(), split, s.images(), s.describe());
            if (teachers.get(i).net() == null) { // a model from elsewhere: its contract may be wrong
                TeacherLoader.requireAboveChance(s, data.train().numClasses(), config.teachers().get(i).source());
            }
        }
    }

    /** Each teacher's top-1 as scored when the run was built: name, split, top-1, images. */
    public List<Map<String, Object>> teacherScores() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (TeacherLoader.Score s : teacherScores) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("teacher", s.teacher());
            m.put("split", s.split());
            m.put("top1", s.top1());
            m.put("images", s.images());
            m.put("model", s.describe());
            out.add(m);
        }
        return out;
    }

    /** A trainable network: built on its device, initialised (from {@code init:} when given), with its optimizer. */
    private static Net network(RunConfig cfg, NetworkConfig nc, ImageDataset train, Optimizers optimizers,
                               NDManager manager) {
        NDManager nm = manager.newSubManager(device(cfg, nc));
        Network block = nc.model() != null
                ? ScriptedStudent.load(Path.of(nc.model()), cfg.root().source() + ": networks." + nc.name() + ".model",
                        nm, train.channels(), train.height(), train.width(), train.classNames())
                : ModelRegistry.buildAndInit(nc.arch(), train.channels(), train.numClasses(), train.height(),
                        train.width(), nm);
        Net net = optimizers.trainable(nc.name(), block, nm);
        if (nc.init() != null && TorchvisionInit.applies(Path.of(nc.init()))) {
            System.err.println("distill4j: " + TorchvisionInit.load(Path.of(nc.init()), block,
                    cfg.root().source() + ": networks." + nc.name() + ".init"));
        } else if (nc.init() != null) {
            Checkpoints.loadNetwork(Checkpoint.read(Path.of(nc.init())), net, null);
        }
        return net;
    }

    /**
     * Checks the whole config, method options included, before anything is loaded or built: every key known,
     * every value in range, every architecture buildable, and every checkpoint it names a file (only those for
     * which {@code mustExist} holds: a sweep's checkpoints that an earlier run of it will write are not yet).
     */
    public static MethodRegistry.Resolved validate(RunConfig cfg, Predicate<String> mustExist) {
        MethodRegistry.Resolved resolved = MethodRegistry.resolve(cfg);
        cfg.root().finish(); // every key has now been read: anything left is unknown
        if (cfg.train().teacherOutputs() != null && cfg.teachers().isEmpty()) {
            throw cfg.root().child("train").error("teacher_outputs", "the config has no teachers: to store (it "
                    + "holds the outputs of KD's and MEAL V2's teachers)");
        }
        if (cfg.train().teacherViews() != null) {
            checkTeacherViews(cfg);
        } else if (cfg.train().teacherViewsK() > 0) {
            throw cfg.root().child("train").error("teacher_views_k", cfg.train().teacherViewsK() + ": applies to a "
                    + "store of the teachers' outputs over views: set train.teacher_views: FILE as well, or leave it at 0");
        }
        if (cfg.train().teacherOutputsTopK() > 0 && cfg.train().teacherOutputs() == null) {
            throw cfg.root().child("train").error("teacher_outputs_top_k", "applies to a store of the teachers' "
                    + "outputs: set train.teacher_outputs: FILE as well, or leave it at 0");
        }
        for (NetworkConfig nc : cfg.networks()) {
            if (nc.model() != null) {
                if (mustExist.test(nc.model()) && !Files.isRegularFile(Path.of(nc.model()))) {
                    throw new UserError(cfg.root().source() + ": networks." + nc.name() + ".model: " + nc.model()
                            + " is not a file (a TorchScript module: torch.jit.script, then torch.jit.save)");
                }
                continue;
            }
            checkArch(cfg, "networks." + nc.name() + ".arch", nc.arch());
            if (nc.init() != null && mustExist.test(nc.init())) {
                checkFile(cfg, "networks." + nc.name() + ".init", nc.init());
            }
        }
        for (TeacherConfig tc : cfg.teachers()) {
            if (tc.arch() != null) {
                checkArch(cfg, "teachers." + tc.name() + ".arch", tc.arch());
            }
            if (tc.checkpoint() != null && mustExist.test(tc.checkpoint())) {
                checkFile(cfg, "teachers." + tc.name() + ".checkpoint", tc.checkpoint());
            }
            if (tc.model() != null && mustExist.test(tc.model()) && !Files.exists(
                    Path.of(tc.model()))) {
                throw new UserError(cfg.root().source() + ": teachers." + tc.name() + ".model: " + tc.model()
                        + " is not found (a TorchScript .pt, an ONNX .onnx, an export folder, a run folder or a .ckpt)");
            }
        }
        return resolved;
    }

    /**
     * A store over views ({@code train.teacher_views}) serves teachers that see the batch's own views: it needs
     * teachers, no per-step store beside it, and views that are pad-crops and flips only (no Cutout, no mixing).
     */
    private static void checkTeacherViews(RunConfig cfg) {
        ConfigNode train = cfg.root().child("train");
        String file = cfg.train().teacherViews();
        if (cfg.teachers().isEmpty()) {
            throw train.error("teacher_views", file + ": the config has no teachers to store (it holds the outputs "
                    + "of KD's and MEAL V2's teachers)");
        }
        if (cfg.train().teacherOutputs() != null) {
            throw train.error("teacher_views", file + " and teacher_outputs " + cfg.train().teacherOutputs()
                    + " both given: use one store of the teachers' outputs");
        }
        if (!cfg.data().mix().equals("none")) {
            throw train.error("teacher_views", file + ": data.mix " + cfg.data().mix() + " blends images into "
                    + "views no store holds; set data.mix: none, or use train.teacher_outputs (per step)");
        }
        if (cfg.data().cutout() > 0) {
            throw train.error("teacher_views", file + ": data.cutout " + cfg.data().cutout() + " draws views "
                    + "outside the pad-crop and flip set the store enumerates; set data.cutout: 0, or use "
                    + "train.teacher_outputs (per step)");
        }
    }

    /** An architecture name the zoo cannot build is an error naming the config file and key. */
    private static void checkArch(RunConfig cfg, String key, String arch) {
        try {
            ModelRegistry.build(arch, 1, 10);
        } catch (UserError e) {
            throw new UserError(cfg.root().source() + ": " + key + ": " + e.getMessage());
        }
    }

    private static void checkFile(RunConfig cfg, String key, String path) {
        if (path != null && !Files.isRegularFile(Path.of(path))) {
            throw new UserError(cfg.root().source() + ": " + key + ": " + path + " is not a file (a checkpoint "
                    + "written by distill4j train, e.g. OUT/checkpoints/best.ckpt)");
        }
    }

    /** Where the run computes ({@code train.device}), checked against the GPUs the engine sees. */
    private static Device device(RunConfig cfg) {
        return Devices.resolve(cfg.train().device(), cfg.root().source() + ": train.device");
    }

    /** A network's device: its own {@code device}, or the run's when it says {@code default}. */
    private static Device device(RunConfig cfg, NetworkConfig nc) {
        return nc.device().equals("default") ? device(cfg)
                : Devices.resolve(nc.device(), cfg.root().source() + ": networks." + nc.name() + ".device");
    }

    public RunConfig config() { return config; }
    public NDManager manager() { return manager; }
    public ImageDataset train() { return data.train(); }
    public ImageDataset test() { return data.test(); }
    public List<Net> nets() { return nets; }
    public Method method() { return method; }

    /** Every network with an optimizer: the trainable networks, then the method's own (e.g. a discriminator). */
    public List<Net> optimized() {
        List<Net> all = new ArrayList<>(nets);
        all.addAll(method.ownNetworks());
        return all;
    }

    /**
     * The run's one restore path, shared by {@code train --resume} and {@code eval}: every network with an
     * optimizer (the run's and the method's own, e.g. OKDCR's second heads, MEAL V2's discriminator) and the
     * method's state, from one checkpoint; with {@code withOptimizer}, the optimizers' buffers too.
     */
    public void restore(Checkpoint c, boolean withOptimizer) {
        for (Net n : optimized()) {
            Checkpoints.loadNetwork(c, n, null, withOptimizer); // by name; a lone network by any name
        }
        for (Stateful s : method.state()) {
            s.load(c.existingSection(s.stateName()), manager);
        }
    }

    /**
     * Evaluation of independently trained networks side by side: network i from checkpoint i (each holding
     * one network). Only for methods that own no networks or state, which such checkpoints cannot hold.
     */
    public void restoreEach(List<Checkpoint> checkpoints) {
        if (checkpoints.size() != nets.size()) {
            throw new UserError("--checkpoint: " + checkpoints.size() + " given, but the config has " + nets.size()
                    + " networks (give one checkpoint, or one per network)");
        }
        if (!method.ownNetworks().isEmpty() || !method.state().isEmpty()) {
            throw new UserError("--checkpoint: method " + config.methodName() + " keeps networks or state of its "
                    + "own, so its run must be restored from one checkpoint of that run");
        }
        for (int i = 0; i < nets.size(); i++) {
            Checkpoints.loadNetwork(checkpoints.get(i), nets.get(i), null);
        }
    }

    /** Writes every network with an optimizer (with its buffers) and the method's state into {@code c}. */
    public void save(Checkpoint c) {
        for (Net n : optimized()) {
            Checkpoints.saveNetwork(c, n);
        }
        for (Stateful s : method.state()) {
            s.save(c.section(s.stateName()));
        }
    }

    /** The per-channel normalisation the run's images get (what an exported network must apply too). */
    public Normalization normalization() { return data.normalization(); }

    /** Which training samples keep their label (semi-supervised), or null when all do. */
    public boolean[] labelled() { return data.labelled(); }

    /** The validation split held out of the training set ({@code data.validation}), or null. */
    public ImageDataset validation() { return data.validation(); }

    /** Batches of the validation split (unaugmented), or null without one. */
    public BatchLoader validationLoader() { return loaders.validation(); }

    /** The frozen teachers, in config order. */
    public List<Teacher> teachers() { return teachers; }

    /**
     * The store of the teachers' outputs ({@code train.teacher_outputs}) once attached (the trainer opens or builds
     * it before the first step); null before that and without one.
     */
    public synchronized TeacherOutputs teacherOutputs() {
        return teacherOutputs;
    }

    /** Gives the run its store of the teachers' outputs, which the run then closes with itself. */
    public synchronized void attach(TeacherOutputs outputs) {
        if (teacherOutputs != null) {
            throw new IllegalStateException("the run already has a store of the teachers' outputs");
        }
        teacherOutputs = outputs;
    }

    /** The store of the teachers' outputs over views ({@code train.teacher_views}) once attached, else null. */
    public synchronized TeacherViews teacherViews() {
        return teacherViews;
    }

    /** The store's rows of training images {@code indices}. */
    public synchronized int[] teacherViewRows(int[] indices) {
        int[] rows = new int[indices.length];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = teacherViewRows[indices[i]];
        }
        return rows;
    }

    /** Gives the run its store over views and each training image's row in it; the run closes it with itself. */
    public synchronized void attach(TeacherViews views, int[] rowOfTrainImage) {
        if (teacherViews != null) {
            throw new IllegalStateException("the run already has a store of the teachers' outputs over views");
        }
        teacherViews = views;
        teacherViewRows = rowOfTrainImage;
    }

    public BatchLoader trainLoader() { return loaders.train(); }

    /**
     * The unaugmented batches of a split by name, as {@code eval} and {@code analyze} take it: {@code test},
     * {@code validation} (needs {@code data.validation}) or {@code train} (as trained on, see {@link #trainEvalLoader}).
     */
    public BatchLoader evalLoader(String split) {
        return switch (split) {
            case "test" -> loaders.test();
            case "train" -> trainEvalLoader();
            case "validation" -> {
                if (loaders.validation() == null) {
                    throw new UserError(config.root().source() + ": --split validation needs data.validation in the "
                            + "config (the run held out no validation split)");
                }
                yield loaders.validation();
            }
            default -> throw new UserError("--split: '" + split + "' is not test, validation or train");
        };
    }
    public BatchLoader testLoader() { return loaders.test(); }

    /**
     * The training split as used for training (subset, label noise) but without augmentation, for measuring
     * how well the networks fit it.
     */
    public BatchLoader trainEvalLoader() {
        return data.evalLoader(config, data.train());
    }

    /** The injected label noise (which samples, their true labels), or null for clean labels. */
    public LabelNoise.Result labelNoise() { return data.labelNoise(); }

    public Net net(String name) {
        for (Net n : nets) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        for (Teacher t : teachers) {
            if (t.name().equals(name) && t.net() != null) {
                return t.net();
            }
        }
        throw new IllegalArgumentException("no network " + name);
    }

    /** Unreadable image files skipped so far ({@code data.on_bad_image: skip}), in every split. */
    public int skippedImages() {
        return data.train().streamed() ? data.train().files().skipped().size() : 0;
    }

    @Override
    public void close() {
        loaders.train().close();
        loaders.test().close();
        if (loaders.validation() != null) {
            loaders.validation().close();
        }
        if (teacherViews != null) {
            teacherViews.close();
        }
        if (teacherOutputs != null) {
            teacherOutputs.close();
        }
        for (Net n : nets) {
            n.close();
        }
        for (Teacher t : teachers) {
            t.close();
        }
        for (Net n : method.ownNetworks()) {
            n.close();
        }
        manager.close();
    }
}
