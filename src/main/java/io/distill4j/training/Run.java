package io.distill4j.training;

import io.distill4j.runtime.Net;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Checkpoints;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.distill4j.UserError;
import io.distill4j.config.DataConfig;
import io.distill4j.config.NetworkConfig;
import io.distill4j.config.RunConfig;
import io.distill4j.config.TeacherConfig;
import io.distill4j.data.Augmenter;
import io.distill4j.data.BatchLoader;
import io.distill4j.data.MixingPolicy;
import io.distill4j.data.LabelNoise;
import io.distill4j.data.DatasetSplits;
import io.distill4j.data.Datasets;
import io.distill4j.data.ImageDataset;
import io.distill4j.data.Normalization;
import io.distill4j.data.Subsets;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodRegistry;
import io.distill4j.methods.MethodSetup;
import io.distill4j.runtime.Optimizers;
import io.distill4j.runtime.Stateful;
import io.distill4j.models.ModelRegistry;
import io.distill4j.models.Network;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything a run is made of, built from a validated config: the data, the networks with their optimizers,
 * and the method. Shared by {@code train} and {@code eval}.
 */
public final class Run implements AutoCloseable {
    private final RunConfig config;
    private final NDManager manager;
    private final ImageDataset train;
    private final ImageDataset test;
    private final List<Net> nets;
    private final List<Net> teachers;
    private final Method method;
    private final BatchLoader trainLoader;
    private final BatchLoader testLoader;
    private final LabelNoise.Result labelNoise;
    private Normalization normalization;
    private boolean[] labelled;
    private ImageDataset validation;
    private BatchLoader validationLoader;
    private io.distill4j.knowledge.TeacherOutputs teacherOutputs;

    private Run(RunConfig config, NDManager manager, ImageDataset train, ImageDataset test, List<Net> nets,
                List<Net> teachers, Method method, BatchLoader trainLoader, BatchLoader testLoader, LabelNoise.Result labelNoise) {
        this.labelNoise = labelNoise;
        this.teachers = teachers;
        this.config = config;
        this.manager = manager;
        this.train = train;
        this.test = test;
        this.nets = nets;
        this.method = method;
        this.trainLoader = trainLoader;
        this.testLoader = testLoader;
    }

    public static Run build(RunConfig cfg) {
        MethodRegistry.Resolved resolved = validate(cfg, p -> true);
        int threads = cfg.train().resolvedThreads();
        Engine.getInstance(); // load the engine before touching its settings
        JniUtils.setNumThreads(threads);
        Engine.getInstance().setRandomSeed((int) cfg.seed()); // parameter initialisation

        DataConfig d = cfg.data();
        DatasetSplits splits = Datasets.load(d.name(), d.root(), null, d.imageSize());
        ImageDataset train = splits.train();
        ImageDataset validation = null;
        if (d.validationSplit()) {
            validation = splits.validation();
            if (validation == null) {
                throw cfg.root().child("data").error("validation", "split: " + d.name() + " has no validation split of"
                        + " its own (an image-folder dataset with train/, val/ and test/ has one); hold N training "
                        + "samples out instead with data.validation: N");
            }
        } else if (d.validation() > 0) { // held out first: the subset and the label noise concern the rest only
            if (d.validation() >= train.size()) {
                throw cfg.root().child("data").error("validation", d.validation() + " leaves no training samples of "
                        + "the " + train.size() + " of " + d.name() + " (hold out fewer)");
            }
            long vs = d.validationSeed() != null ? d.validationSeed() : d.subsetSeed() != null ? d.subsetSeed() : cfg.seed();
            int[][] parts = Subsets.holdOut(train.size(), d.validation(), vs);
            validation = train.select(parts[0], train.name() + "-validation" + d.validation());
            train = train.select(parts[1], train.name() + "-train");
        }
        if (d.trainSubset() != null) {
            if (d.trainSubset() > train.size()) {
                throw cfg.root().child("data").error("train_subset", d.trainSubset() + " is more than the "
                        + train.size() + " training samples of " + d.name());
            }
            long subsetSeed = d.subsetSeed() != null ? d.subsetSeed() : cfg.seed();
            train = train.select(Subsets.randomSubset(train.size(), d.trainSubset(), subsetSeed),
                    train.name() + "-subset" + d.trainSubset());
        }
        ImageDataset test = splits.test();
        LabelNoise.Result noise = null;
        if (d.labelNoise() > 0) {
            int[] map = d.labelNoiseMapping();
            int classes = train.numClasses();
            if (map != null && (map.length != classes
                    || java.util.Arrays.stream(map).anyMatch(c -> c < 0 || c >= classes))) {
                throw cfg.root().child("data").error("label_noise_mapping", "needs " + train.numClasses()
                        + " class indices in 0.." + (train.numClasses() - 1));
            }
            noise = LabelNoise.apply(train, d.labelNoise(), d.labelNoiseType(), map, cfg.seed());
            train = noise.dataset();
        }

        boolean[] labelled = null;
        if (d.labeledFraction() < 1) {
            int k = (int) Math.round(d.labeledFraction() * train.size());
            int[] keep = Subsets.randomSubset(train.size(), k, io.distill4j.util.Seeds.derive(cfg.seed(), 0x1abe1));
            if (d.dropUnlabeled()) {
                train = train.select(keep, train.name() + "-labelled");
            } else {
                labelled = new boolean[train.size()];
                for (int i : keep) {
                    labelled[i] = true;
                }
            }
        }
        Normalization norm = Datasets.normalization(d.name(), train);
        Augmenter.Builder aug = Augmenter.builder(norm);
        if (d.padCrop() > 0) {
            aug.padCrop(d.padCrop());
        }
        if (d.flip()) {
            aug.horizontalFlip(0.5);
        }
        if (d.cutout() > 0) {
            aug.cutout(d.cutout());
        }

        List<String> names = cfg.networks().stream().map(NetworkConfig::name).toList();
        Optimizers optimizers = new Optimizers(cfg.optim());
        Method method = resolved.create(new MethodSetup(cfg, names, train.numClasses(), train.size(), optimizers));

        NDManager manager = NDManager.newBaseManager();
        List<Net> nets = new ArrayList<>();
        List<Net> teachers = new ArrayList<>();
        try {
            for (NetworkConfig nc : cfg.networks()) {
                NDManager nm = manager.newSubManager(device(cfg, nc));
                Network block = ModelRegistry.buildAndInit(nc.arch(), train.channels(), train.numClasses(),
                        train.height(), train.width(), nm);
                Net net = optimizers.trainable(nc.name(), block, nm);
                if (nc.init() != null) {
                    Checkpoints.loadNetwork(Checkpoint.read(java.nio.file.Path.of(nc.init())), net, null);
                }
                nets.add(net);
            }
            for (TeacherConfig tc : cfg.teachers()) {
                teachers.add(teacher(tc, train, manager));
            }
            for (List<Net> group : List.of(nets, teachers)) {
                for (Net n : group) {
                    n.block().setChannelsLast(cfg.train().channelsLast());
                }
            }
            method.attach(manager, nets);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        BatchLoader trainLoader = new BatchLoader(train, cfg.train().batchSize(), true, true, aug.build(),
                method.views(), cfg.seed());
        trainLoader.withMixing(MixingPolicy.of(d.mix(), d.mixProbability(), d.mixAlpha(), d.mixWarmup(),
                cfg.train().epochs()));
        if (trainLoader.batchesPerEpoch() == 0) {
            throw cfg.root().child("train").error("batch_size", cfg.train().batchSize()
                    + " is larger than the " + train.size() + " training samples");
        }
        BatchLoader testLoader = new BatchLoader(test, cfg.train().evalBatchSize(), false, false,
                Augmenter.none(norm), 1, cfg.seed());
        Run run = new Run(cfg, manager, train, test, List.copyOf(nets), List.copyOf(teachers), method, trainLoader,
                testLoader, noise);
        run.normalization = norm;
        run.labelled = labelled;
        if (validation != null) {
            run.validation = validation;
            run.validationLoader = new BatchLoader(validation, cfg.train().evalBatchSize(), false, false,
                    Augmenter.none(norm), 1, cfg.seed());
        }
        return run;
    }

    /**
     * Checks the whole config, method options included, before anything is loaded or built: every key known,
     * every value in range, every architecture buildable, and every checkpoint it names a file (only those for
     * which {@code mustExist} holds: a sweep's checkpoints that an earlier run of it will write are not yet).
     */
    public static MethodRegistry.Resolved validate(RunConfig cfg, java.util.function.Predicate<String> mustExist) {
        MethodRegistry.Resolved resolved = MethodRegistry.resolve(cfg);
        cfg.root().finish(); // every key has now been read: anything left is unknown
        if (cfg.train().teacherOutputs() != null && cfg.teachers().isEmpty()) {
            throw cfg.root().child("train").error("teacher_outputs", "the config has no teachers: to store (it "
                    + "holds the outputs of KD's and MEAL V2's teachers)");
        }
        if (cfg.train().teacherOutputsTopK() > 0 && cfg.train().teacherOutputs() == null) {
            throw cfg.root().child("train").error("teacher_outputs_top_k", "applies to a store of the teachers' "
                    + "outputs: set train.teacher_outputs: FILE as well, or leave it at 0");
        }
        for (NetworkConfig nc : cfg.networks()) {
            checkArch(cfg, "networks." + nc.name() + ".arch", nc.arch());
            if (nc.init() != null && mustExist.test(nc.init())) {
                checkFile(cfg, "networks." + nc.name() + ".init", nc.init());
            }
        }
        for (TeacherConfig tc : cfg.teachers()) {
            checkArch(cfg, "teachers." + tc.name() + ".arch", tc.arch());
            if (tc.checkpoint() != null && mustExist.test(tc.checkpoint())) {
                checkFile(cfg, "teachers." + tc.name() + ".checkpoint", tc.checkpoint());
            }
        }
        return resolved;
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
        if (path != null && !java.nio.file.Files.isRegularFile(java.nio.file.Path.of(path))) {
            throw new UserError(cfg.root().source() + ": " + key + ": " + path + " is not a file (a checkpoint "
                    + "written by distill4j train, e.g. OUT/checkpoints/best.ckpt)");
        }
    }

    /**
     * A frozen teacher: built, loaded from its checkpoint (architecture and every parameter shape verified),
     * no gradient, no optimizer, always in inference mode.
     */
    private static Net teacher(TeacherConfig tc, ImageDataset train, NDManager manager) {
        NDManager tm = manager.newSubManager();
        Network block = ModelRegistry.buildAndInit(tc.arch(), train.channels(), train.numClasses(), train.height(),
                train.width(), tm);
        Net net = new Net(tc.name(), block, tm, null);
        Checkpoints.loadNetwork(Checkpoint.read(java.nio.file.Path.of(tc.checkpoint())), net, tc.network());
        for (var p : block.getParameters()) {
            p.getValue().getArray().setRequiresGradient(false);
        }
        return net;
    }

    /** A network's device (checked: placing networks on GPUs needs CUDA natives this build does not ship). */
    private static Device device(RunConfig cfg, NetworkConfig nc) {
        if (nc.device().equals("cpu")) {
            return Device.cpu();
        }
        int id = nc.device().contains(":") ? Integer.parseInt(nc.device().substring(4)) : 0;
        if (Engine.getInstance().getGpuCount() <= id) {
            throw new UserError(cfg.root().source() + ": networks." + nc.name() + ".device: " + nc.device()
                    + " requested but the engine sees " + Engine.getInstance().getGpuCount() + " GPU(s)"
                    + " (this build ships CPU natives)");
        }
        return Device.gpu(id);
    }

    public RunConfig config() { return config; }
    public NDManager manager() { return manager; }
    public ImageDataset train() { return train; }
    public ImageDataset test() { return test; }
    public List<Net> nets() { return nets; }
    public Method method() { return method; }

    /** Every network of the run: the trainable ones, the method's own and the frozen teachers. */
    public List<Net> allNets() {
        List<Net> all = optimized();
        all.addAll(teachers);
        return all;
    }

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
    public Normalization normalization() { return normalization; }

    /** Which training samples keep their label (semi-supervised), or null when all do. */
    public boolean[] labelled() { return labelled; }

    /** The validation split held out of the training set ({@code data.validation}), or null. */
    public ImageDataset validation() { return validation; }

    /** Batches of the validation split (unaugmented), or null without one. */
    public BatchLoader validationLoader() { return validationLoader; }

    /** The frozen teachers, in config order. */
    public List<Net> teachers() { return teachers; }

    /**
     * The store of the teachers' outputs ({@code train.teacher_outputs}), opened (built on first use) when first
     * asked for; null without one.
     */
    public synchronized io.distill4j.knowledge.TeacherOutputs teacherOutputs() {
        if (teacherOutputs == null && config.train().teacherOutputs() != null) {
            teacherOutputs = TeacherOutputsBuilder.openOrBuild(this);
        }
        return teacherOutputs;
    }
    public BatchLoader trainLoader() { return trainLoader; }

    /**
     * The unaugmented batches of a split by name, as {@code eval} and {@code analyze} take it: {@code test},
     * {@code validation} (needs {@code data.validation}) or {@code train} (as trained on, see {@link #trainEvalLoader}).
     */
    public BatchLoader evalLoader(String split) {
        return switch (split) {
            case "test" -> testLoader;
            case "train" -> trainEvalLoader();
            case "validation" -> {
                if (validationLoader == null) {
                    throw new UserError(config.root().source() + ": --split validation needs data.validation in the "
                            + "config (the run held out no validation split)");
                }
                yield validationLoader;
            }
            default -> throw new UserError("--split: '" + split + "' is not test, validation or train");
        };
    }
    public BatchLoader testLoader() { return testLoader; }

    /**
     * The training split as used for training (subset, label noise) but without augmentation, for measuring
     * how well the networks fit it.
     */
    public BatchLoader trainEvalLoader() {
        return new BatchLoader(train, config.train().evalBatchSize(), false, false, Augmenter.none(normalization), 1,
                config.seed());
    }

    /** The injected label noise (which samples, their true labels), or null for clean labels. */
    public LabelNoise.Result labelNoise() { return labelNoise; }

    public Net net(String name) {
        for (Net n : nets) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        for (Net n : teachers) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        throw new IllegalArgumentException("no network " + name);
    }

    @Override
    public void close() {
        if (teacherOutputs != null) {
            teacherOutputs.close();
        }
        for (Net n : nets) {
            n.close();
        }
        for (Net n : teachers) {
            n.close();
        }
        for (Net n : method.ownNetworks()) {
            n.close();
        }
        manager.close();
    }
}
