package io.distill4j.methods.mealv2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.XavierInitializer;
import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.knowledge.Teacher;
import io.distill4j.knowledge.Teachers;
import io.distill4j.losses.DistillLoss;
import io.distill4j.methods.Batch;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.StepContext;
import io.distill4j.runtime.Net;
import io.distill4j.runtime.Optimizers;
import io.distill4j.util.Scalars;

import java.util.List;

/**
 * Method {@code meal-v2} (docs/methods.md section 2, seed 002): K frozen teachers, soft target = mean of their
 * softmaxes (at {@code temperature}, 1 in the article), soft cross-entropy for the student (times T^2; optional
 * hard-label term), and a discriminator on logits
 * that tells the student's rows from the teachers' mean logits (BCE with logits).
 *
 * <p>{@code mode: joint} (the reference): the discriminator's loss is added to the student's and one backward
 * pass trains both, the discriminator at the student's learning rate, so the student also helps the
 * discriminator (a regulariser, not an adversary). {@code mode: adversarial}: the gradient that reaches the
 * student's logits from the discriminator's loss is reversed.
 */
public final class MealV2 implements Method {
    static final String DISCRIMINATOR = "discriminator";

    /** Options of {@code meal-v2}. */
    public record Options(
            @Option(doc = "weight of an extra cross-entropy on the hard labels (the article: none)", value = "0",
                    min = 0, max = 1e6) double hardLabelWeight,
            @Option(doc = "train the discriminator on logits", value = "true") boolean discriminator,
            @Option(doc = "joint: the student helps the discriminator (reference); adversarial: reversed gradient",
                    value = "joint") DiscriminatorMode mode,
            @Option(doc = "a ReLU after the discriminator's last layer, as the reference code", value = "true")
            boolean reluAfterLast,
            @Option(doc = "weight of the discriminator's BCE", value = "1", min = 0, max = 1e6)
            double discriminatorWeight,
            @Option(doc = "softmax temperature of the soft target and the student (the article: 1)", value = "1",
                    min = 1e-3, max = 1e3) double temperature) {}

    /** How the student meets the discriminator: helping it (the reference's joint loss) or through a reversed gradient. */
    public enum DiscriminatorMode { JOINT, ADVERSARIAL }

    private final double hardLabelWeight;
    private final boolean useDiscriminator;
    private final boolean adversarial;
    private final boolean reluAfterLast;
    private final double discriminatorWeight;
    private final double temperature;
    private final int classes;
    private final Optimizers optimizers;
    private Net discriminator;

    public static void check(RunConfig cfg) {
        ConfigChecks.networks(cfg, "meal-v2", 1, 1, "trains one student");
        if (cfg.teachers().isEmpty()) {
            throw ConfigChecks.error(cfg, "meal-v2 needs at least one teacher under teachers:");
        }
        if (cfg.networks().stream().anyMatch(n -> n.name().equals(DISCRIMINATOR))) {
            throw ConfigChecks.error(cfg, "the network name '" + DISCRIMINATOR + "' is taken by meal-v2");
        }
    }

    public MealV2(Options options, MethodSetup setup) {
        this.hardLabelWeight = options.hardLabelWeight();
        this.useDiscriminator = options.discriminator();
        this.adversarial = options.mode() == DiscriminatorMode.ADVERSARIAL;
        this.reluAfterLast = options.reluAfterLast();
        this.discriminatorWeight = options.discriminatorWeight();
        // the article uses T = 1; T > 1 softens both sides (soft CE times T^2), as in Hinton's KD
        this.temperature = options.temperature();
        this.classes = setup.numClasses();
        this.optimizers = setup.optimizers();
    }

    @Override
    public void attach(NDManager manager, List<Net> trainable, List<Teacher> teachers) {
        if (!useDiscriminator) {
            return;
        }
        NDManager dm = manager.newSubManager();
        Discriminator block = new Discriminator(classes, reluAfterLast);
        block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        block.initialize(dm, DataType.FLOAT32, new Shape(1, classes));
        discriminator = optimizers.trainable(DISCRIMINATOR, block, dm);
    }

    @Override
    public List<Net> ownNetworks() {
        return discriminator == null ? List.of() : List.of(discriminator);
    }

    @Override
    public double softTargetTemperature() { return temperature; }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        Net student = ctx.trainable().get(0);
        NDArray x = batch.images();
        Teachers.Ensemble teachers = ctx.teacherKnowledge().ensemble(x, temperature);
        NDArray softTarget = teachers.meanProbabilities();
        NDArray teacherLogits = teachers.meanLogits();
        return ctx.update(() -> {
            NDArray z = student.logits(x, true);
            Losses l = new Losses().add(student.name(), "soft_ce", DistillLoss.softCrossEntropy(softTarget, z, temperature));
            if (hardLabelWeight > 0) {
                l.add(student.name(), "ce", Scalars.mul(batch.crossEntropy(z), (float) hardLabelWeight));
            }
            if (discriminator != null) {
                NDArray zs = adversarial ? reverseGradient(z) : z;
                NDList io = discriminatorBatch(zs, teacherLogits);
                NDArray out = discriminator.logits(io.get(0), true);
                l.add(DISCRIMINATOR, "bce", Scalars.mul(DistillLoss.binaryCrossEntropyWithLogits(out, io.get(1)),
                        (float) discriminatorWeight));
            }
            return l;
        });
    }

    /** The discriminator's input (student rows, then the teachers' mean-logit rows) and targets [1,0] / [0,1]. */
    static NDList discriminatorBatch(NDArray studentLogits, NDArray teacherMeanLogits) {
        long n = studentLogits.getShape().get(0);
        NDManager m = studentLogits.getManager();
        NDArray input = NDArrays.concat(new NDList(studentLogits, teacherMeanLogits.stopGradient()));
        NDArray studentRows = NDArrays.concat(new NDList(m.ones(new Shape(n, 1)), m.zeros(new Shape(n, 1))), 1);
        NDArray teacherRows = NDArrays.concat(new NDList(m.zeros(new Shape(n, 1)), m.ones(new Shape(n, 1))), 1);
        return new NDList(input, NDArrays.concat(new NDList(studentRows, teacherRows)));
    }

    /** Identity forward, negated gradient backward: {@code 2 * sg(z) - z}. */
    static NDArray reverseGradient(NDArray z) {
        return Scalars.mul(z.stopGradient(), 2f).sub(z);
    }
}
