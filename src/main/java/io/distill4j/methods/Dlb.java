package io.distill4j.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.UserError;
import io.distill4j.knowledge.DistillLoss;
import io.distill4j.training.Checkpoint;
import io.distill4j.training.Net;

import java.util.Arrays;
import java.util.List;

/**
 * Method {@code dlb}: self-distillation from the last mini-batch (METHODS.md section 5, seed 004).
 *
 * <p>Step t forwards {@code B_{t-1} view 1} and {@code B_t view 0} and minimises
 * {@code CE(all, labels) + alpha * T^2 * KL(softmax(z_prev/T) || softmax(z(B_{t-1} view 1)/T))}, where
 * {@code z_prev} are the logits of {@code B_{t-1} view 0} computed (and detached) at step t-1. So every sample
 * is trained in two consecutive steps and distilled the second time. The first step of a run has CE only;
 * the stored batch and logits carry across epochs and are saved in checkpoints.
 *
 * <p>{@code forward: separate} (default, as the article's official code) runs the two halves as two forward
 * passes, so BatchNorm normalises each half with its own batch statistics; {@code joint} runs them as one
 * concatenated pass (statistics over all 2N samples). The loss is the same function of the logits in both.
 * The choice was made on evidence: RESULTS.md section 2.
 */
public final class Dlb implements Method {
    private final double temperature;
    private final double alpha;
    private final boolean joint;

    /** The last batch: its second view, targets, dataset indices, and its view-0 logits from that step. */
    private float[] prevImages;
    private long[] prevShape;
    private float[] prevTargets;
    private int[] prevIndices;
    private float[] prevLogits;
    private int classes;

    /** What the last step trained and distilled (dataset indices), for tests and diagnostics. */
    int[] lastTrained = new int[0];
    int[] lastDistilled = new int[0];

    public Dlb(MethodSetup setup) {
        if (setup.networks().size() != 1) {
            throw setup.options().error("name", "dlb trains one network; the config has " + setup.networks().size());
        }
        this.temperature = setup.options().number("temperature", 3.0, 1e-3, 1e3);
        this.alpha = setup.options().number("alpha", 1.0, 0, 1e6);
        this.joint = setup.options().choice("forward", "separate", List.of("separate", "joint")).equals("joint");
        this.classes = setup.numClasses();
    }

    @Override
    public int views() {
        return 2;
    }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        Net net = ctx.trainable().get(0);
        NDManager m = batch.manager();
        int n = batch.size();
        int p = prevIndices == null ? 0 : prevIndices.length;
        NDArray images = batch.view(0);
        // targets as distributions, so that CutMix-mixed batches (mixed alike in both views) work too
        NDArray labels = batch.targets(classes);
        NDArray prevX = null;
        NDArray prevTarget = null;
        if (p > 0) {
            prevX = m.create(prevImages, new Shape(prevShape));
            labels = NDArrays.concat(new NDList(m.create(prevTargets, new Shape(p, classes)), labels));
            prevTarget = m.create(prevLogits, new Shape(p, classes));
        }
        NDArray x = images;
        NDArray xPrev = prevX;
        NDArray y = labels;
        NDArray target = prevTarget;
        NDArray[] current = new NDArray[1];
        Losses losses = ctx.update(() -> {
            NDArray logits;
            if (xPrev == null) {
                logits = net.logits(x, true);
            } else if (joint) {
                logits = net.logits(NDArrays.concat(new NDList(xPrev, x)), true);
            } else { // two passes, previous half first: BatchNorm statistics per half
                NDArray zp = net.logits(xPrev, true);
                logits = NDArrays.concat(new NDList(zp, net.logits(x, true)));
            }
            Losses l = new Losses().add(net.name(), "ce", DistillLoss.softCrossEntropy(y, logits, 1));
            if (target != null) {
                NDArray zPrev = logits.get("0:" + p);
                l.add(net.name(), "dlb_kl", DistillLoss.kl(target, zPrev, temperature).mul((float) alpha));
            }
            current[0] = logits.get(p + ":").stopGradient();
            return l;
        });
        lastTrained = concat(prevIndices, batch.indices());
        lastDistilled = prevIndices == null ? new int[0] : prevIndices.clone();
        // remember this batch for the next step: its second view and the logits of its first view
        prevImages = batch.host().views()[1];
        prevShape = new long[] {n, batch.host().channels(), batch.host().height(), batch.host().width()};
        prevTargets = batch.host().targets(classes);
        prevIndices = batch.indices().clone();
        prevLogits = current[0].toFloatArray();
        return losses;
    }

    private static int[] concat(int[] a, int[] b) {
        if (a == null) {
            return b.clone();
        }
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    float[] prevImages() { return prevImages; }

    long[] prevShape() { return prevShape; }

    float[] prevLogits() { return prevLogits; }

    float[] prevTargets() { return prevTargets; }

    @Override
    public void save(Checkpoint c) {
        c.meta().addProperty("dlb_has_previous", prevIndices != null);
        if (prevIndices == null) {
            return;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            c.putArrays("method/dlb", new NDList(
                    m.create(prevImages, new Shape(prevShape)),
                    m.create(prevTargets, new Shape(prevIndices.length, classes)),
                    m.create(prevIndices),
                    m.create(prevLogits, new Shape(prevIndices.length, classes))));
        }
    }

    @Override
    public void load(Checkpoint c, NDManager manager) {
        if (!c.meta().has("dlb_has_previous")) {
            throw new UserError(c.origin() + ": not a dlb checkpoint (no stored last batch)");
        }
        if (!c.meta().get("dlb_has_previous").getAsBoolean()) {
            prevTargets = null;
            prevIndices = null;
            return;
        }
        try (NDManager m = manager.newSubManager()) {
            NDList l = c.arrays("method/dlb", m);
            prevImages = l.get(0).toFloatArray();
            prevShape = l.get(0).getShape().getShape();
            prevTargets = l.get(1).toFloatArray();
            prevIndices = l.get(2).toIntArray();
            prevLogits = l.get(3).toFloatArray();
            classes = (int) l.get(3).getShape().get(1);
        }
    }
}
