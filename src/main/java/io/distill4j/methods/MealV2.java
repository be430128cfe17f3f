package io.distill4j.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.XavierInitializer;
import io.distill4j.config.OptimConfig;
import io.distill4j.knowledge.DistillLoss;
import io.distill4j.models.Discriminator;
import io.distill4j.training.Net;
import io.distill4j.training.Sgd;

import java.util.List;

/**
 * Method {@code meal-v2} (METHODS.md section 2, seed 002): K frozen teachers, soft target = mean of their
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

    private final double hardLabelWeight;
    private final boolean useDiscriminator;
    private final boolean adversarial;
    private final boolean reluAfterLast;
    private final double discriminatorWeight;
    private final double temperature;
    private final int classes;
    private final OptimConfig optim;
    private Net discriminator;

    public MealV2(MethodSetup setup) {
        if (setup.networks().size() != 1) {
            throw setup.options().error("name", "meal-v2 trains one student; the config has "
                    + setup.networks().size() + " networks");
        }
        if (setup.run().teachers().isEmpty()) {
            throw setup.options().error("name", "meal-v2 needs at least one teacher under teachers:");
        }
        if (setup.networks().contains(DISCRIMINATOR)) {
            throw setup.options().error("name", "the network name '" + DISCRIMINATOR + "' is taken by meal-v2");
        }
        this.hardLabelWeight = setup.options().number("hard_label_weight", 0, 0, 1e6);
        this.useDiscriminator = setup.options().bool("discriminator", true);
        this.adversarial = setup.options().choice("mode", "joint", List.of("joint", "adversarial"))
                .equals("adversarial");
        this.reluAfterLast = setup.options().bool("relu_after_last", true);
        this.discriminatorWeight = setup.options().number("discriminator_weight", 1.0, 0, 1e6);
        // the article uses T = 1; T > 1 softens both sides (soft CE times T^2), as in Hinton's KD
        this.temperature = setup.options().number("temperature", 1.0, 1e-3, 1e3);
        this.classes = setup.numClasses();
        this.optim = setup.run().optim();
    }

    @Override
    public void attach(NDManager manager, List<Net> trainable) {
        if (!useDiscriminator) {
            return;
        }
        NDManager dm = manager.newSubManager();
        Discriminator block = new Discriminator(classes, reluAfterLast);
        block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        block.initialize(dm, DataType.FLOAT32, new Shape(1, classes));
        Sgd sgd = new Sgd(Net.trainableParameters(block), dm, optim.momentum(), optim.weightDecay(),
                optim.nesterov());
        discriminator = new Net(DISCRIMINATOR, block, dm, sgd);
    }

    @Override
    public List<Net> ownNetworks() {
        return discriminator == null ? List.of() : List.of(discriminator);
    }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        Net student = ctx.trainable().get(0);
        NDArray x = batch.images();
        NDArray probSum = null;
        NDArray logitSum = null;
        for (Net t : ctx.teachers()) {
            NDArray z = t.logits(x, false);
            NDArray p = z.mul((float) (1 / temperature)).softmax(1);
            probSum = probSum == null ? p : probSum.add(p);
            logitSum = logitSum == null ? z : logitSum.add(z);
        }
        int k = ctx.teachers().size();
        NDArray softTarget = probSum.div(k);
        NDArray teacherLogits = logitSum.div(k);
        return ctx.update(() -> {
            NDArray z = student.logits(x, true);
            Losses l = new Losses().add(student.name(), "soft_ce", DistillLoss.softCrossEntropy(softTarget, z, temperature));
            if (hardLabelWeight > 0) {
                l.add(student.name(), "ce", batch.crossEntropy(z).mul((float) hardLabelWeight));
            }
            if (discriminator != null) {
                NDArray zs = adversarial ? reverseGradient(z) : z;
                NDList io = discriminatorBatch(zs, teacherLogits);
                NDArray out = discriminator.logits(io.get(0), true);
                l.add(DISCRIMINATOR, "bce", DistillLoss.binaryCrossEntropyWithLogits(out, io.get(1))
                        .mul((float) discriminatorWeight));
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
        return z.stopGradient().mul(2f).sub(z);
    }
}
