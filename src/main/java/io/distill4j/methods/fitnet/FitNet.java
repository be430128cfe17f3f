package io.distill4j.methods.fitnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.XavierInitializer;
import io.distill4j.config.ConfigNode;
import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.knowledge.Teacher;
import io.distill4j.losses.DistillLoss;
import io.distill4j.losses.FeatureLoss;
import io.distill4j.methods.Batch;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.FeatureStages;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.StepContext;
import io.distill4j.runtime.Net;
import io.distill4j.runtime.Optimizers;
import io.distill4j.util.Scalars;

import java.util.List;

/**
 * Method {@code fitnet}: Romero et al.'s FitNets (ICLR 2015; docs/methods.md section 10) from one frozen
 * distill4j teacher. The student's guided stage imitates the teacher's hint stage: the hint loss is the mean squared
 * difference of the two maps, through a trainable regressor (1x1 convolution, BatchNorm, ReLU) where their channel
 * counts differ; their resolutions must be equal.
 * <ul>
 * <li>single stage ({@code two_stage: false}, mdistiller's form, the default):
 * {@code ce_weight * CE + hint_weight * hint} throughout;</li>
 * <li>two stages (the article's): for the first {@code hint_epochs} epochs the hint loss alone, then Hinton's KD
 * {@code kd_ce_weight * CE + kd_weight * T^2 KL} and no hint. In the first stage the layers after the guided stage
 * get zero gradients; weight decay still moves them.</li>
 * </ul>
 */
public final class FitNet implements Method {
    static final String REGRESSOR = "regressor";

    /** Options of {@code fitnet}. */
    public record Options(
            @Option(doc = "the teacher's stage that gives the hint (distill4j methods --stages)", value = "stage2")
            String hintStage,
            @Option(doc = "the student's stage that is guided by it", value = "stage2") String guidedStage,
            @Option(doc = "a trainable 1x1 convolution + BN + ReLU where the channel counts differ (false: they "
                    + "must be equal)", value = "true") boolean regressor,
            @Option(doc = "weight of the cross-entropy on the hard labels (single stage)", value = "1", min = 0,
                    max = 1e6) double ceWeight,
            @Option(doc = "weight of the hint loss (single stage and the hint stage)", value = "100", min = 0,
                    max = 1e9) double hintWeight,
            @Option(doc = "the article's schedule: the hint alone for hint_epochs epochs, then KD", value = "false")
            boolean twoStage,
            @Option(doc = "epochs of the hint stage with two_stage", value = "30", min = 1, max = 1e6)
            int hintEpochs,
            @Option(doc = "KD's temperature in the second stage", value = "4", min = 1e-3, max = 1e3)
            double temperature,
            @Option(doc = "weight of the cross-entropy in the second stage", value = "0.1", min = 0, max = 1e6)
            double kdCeWeight,
            @Option(doc = "weight of the T^2-scaled KL in the second stage", value = "0.9", min = 0, max = 1e6)
            double kdWeight) {}

    private final Options options;
    private final ConfigNode section;
    private final Optimizers optimizers;
    private final List<String> guided;
    private final List<String> hint;
    private Net regressor;

    public static void check(RunConfig cfg) {
        ConfigChecks.oneStudentOneTeacher(cfg, "fitnet");
        if (cfg.networks().stream().anyMatch(n -> n.name().equals(REGRESSOR))) {
            throw ConfigChecks.error(cfg, "the network name '" + REGRESSOR + "' is taken by fitnet");
        }
    }

    public FitNet(Options options, MethodSetup setup) {
        this.options = options;
        this.section = FeatureStages.section(setup, "fitnet");
        this.optimizers = setup.optimizers();
        this.guided = List.of(options.guidedStage());
        this.hint = List.of(options.hintStage());
        if (options.twoStage() && options.hintEpochs() >= setup.run().train().epochs()) {
            throw section.error("hint_epochs", options.hintEpochs() + " leaves no epoch for the second stage of "
                    + "train.epochs " + setup.run().train().epochs() + " (give fewer, or two_stage: false)");
        }
    }

    @Override
    public void attach(NDManager manager, List<Net> trainable, List<Teacher> teachers) {
        Net student = trainable.get(0);
        Teacher teacher = FeatureStages.requireFeatures(teachers.get(0));
        FeatureStages.require(section, "guided_stage", guided, student.block().stageNames(),
                "the student " + student.block().arch());
        FeatureStages.require(section, "hint_stage", hint, teacher.stageNames(),
                "the teacher " + teacher.name());
        Shape s = FeatureStages.studentShapes(student, guided).get(0);
        Shape t = FeatureStages.teacherShapes(teacher, student, hint).get(0);
        if (s.get(2) != t.get(2) || s.get(3) != t.get(3)) {
            throw section.error("guided_stage", "the student's " + guided.get(0) + " is " + s + " and the teacher's "
                    + hint.get(0) + " " + t + ": the regressor maps channels only, so the resolutions must be equal "
                    + "(choose stages of one resolution)");
        }
        if (s.get(1) == t.get(1)) {
            return;
        }
        if (!options.regressor()) {
            throw section.error("regressor", "false, but the student's " + guided.get(0) + " has " + s.get(1)
                    + " channels and the teacher's " + hint.get(0) + " " + t.get(1) + ": the shapes differ, so "
                    + "allow a regressor (regressor: true) or choose stages of equal shape");
        }
        NDManager rm = manager.newSubManager();
        Regressor block = new Regressor((int) t.get(1));
        block.setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                XavierInitializer.FactorType.IN, 2), Parameter.Type.WEIGHT);
        block.initialize(rm, DataType.FLOAT32, new Shape(1, s.get(1), s.get(2), s.get(3)));
        regressor = optimizers.trainable(REGRESSOR, block, rm);
    }

    @Override
    public List<Net> ownNetworks() {
        return regressor == null ? List.of() : List.of(regressor);
    }

    @Override
    public double softTargetTemperature() { return options.temperature(); }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        Net student = ctx.trainable().get(0);
        NDArray x = batch.images();
        boolean hintStage = options.twoStage() && ctx.epoch() < options.hintEpochs();
        if (options.twoStage() && !hintStage) { // second stage: KD
            NDArray teacher = ctx.teacherKnowledge().logits(0, x);
            return ctx.update(() -> {
                NDArray z = student.logits(x, true);
                return new Losses()
                        .add(student.name(), "ce", Scalars.mul(batch.crossEntropy(z), (float) options.kdCeWeight()))
                        .add(student.name(), "kd", Scalars.mul(DistillLoss.kl(teacher, z, options.temperature()),
                                (float) options.kdWeight()));
            });
        }
        NDArray target = ctx.teacherKnowledge().features(0, x, hint).get(2);
        return ctx.update(() -> {
            NDList s = student.forward(x, true, guided);
            NDArray f = regressor == null ? s.get(2) : regressor.logits(s.get(2), true);
            Losses l = new Losses();
            if (!hintStage) {
                l.add(student.name(), "ce", Scalars.mul(batch.crossEntropy(s.get(0)), (float) options.ceWeight()));
            }
            l.add(student.name(), "hint", Scalars.mul(FeatureLoss.hint(f, target), (float) options.hintWeight()));
            return regressor == null ? l : l.alsoStep(REGRESSOR);
        });
    }
}
