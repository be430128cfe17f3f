package io.distill4j.methods.dlb;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.losses.DistillLoss;
import io.distill4j.methods.Batch;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.StepContext;
import io.distill4j.runtime.Net;
import io.distill4j.runtime.Stateful;
import io.distill4j.util.Scalars;

import java.util.Arrays;
import java.util.List;

/**
 * Method {@code dlb}: self-distillation from the last mini-batch (docs/methods.md section 5, seed 004).
 *
 * <p>Step t forwards {@code B_{t-1} view 1} and {@code B_t view 0} and minimises
 * {@code CE(all, labels) + alpha * T^2 * KL(softmax(z_prev/T) || softmax(z(B_{t-1} view 1)/T))}, where
 * {@code z_prev} are the logits of {@code B_{t-1} view 0} computed (and detached) at step t-1: the
 * {@link LastBatch} knowledge. So every sample is trained in two consecutive steps and distilled the second
 * time. The first step of a run has CE only; the stored batch carries across epochs and is checkpointed.
 *
 * <p>{@code forward: separate} (default, as the article's official code) runs the two halves as two forward
 * passes, so BatchNorm normalises each half with its own batch statistics; {@code joint} runs them as one
 * concatenated pass (statistics over all 2N samples). The loss is the same function of the logits in both.
 * The default was chosen on evidence: RESULTS.md section 2.
 */
public final class Dlb implements Method {
    /** Options of {@code dlb}. */
    public record Options(
            @Option(doc = "softmax temperature T of the KL to the last batch's logits", value = "3", min = 1e-3,
                    max = 1e3) double temperature,
            @Option(doc = "weight of the T^2-scaled KL term", value = "1", min = 0, max = 1e6) double alpha,
            @Option(doc = "separate: the two halves in two forward passes (BatchNorm per half, the article's "
                    + "code); joint: one pass over both", value = "separate") Forward forward) {}

    /** How the previous and the current half are forwarded. */
    public enum Forward { SEPARATE, JOINT }

    public static void check(RunConfig cfg) {
        ConfigChecks.networks(cfg, "dlb", 1, 1, "trains one network");
    }

    private final Options options;
    private final int classes;
    private final LastBatch last = new LastBatch("dlb/last_batch");

    public Dlb(Options options, MethodSetup setup) {
        this.options = options;
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
        int p = last.size();
        NDArray x = batch.view(0);
        // targets as distributions, so that CutMix-mixed batches (mixed alike in both views) work too
        NDArray y = p == 0 ? batch.targets(classes)
                : NDArrays.concat(new NDList(last.targets(m), batch.targets(classes)));
        NDArray xPrev = p == 0 ? null : last.images(m);
        NDArray target = p == 0 ? null : last.logits(m);
        boolean joint = options.forward() == Forward.JOINT;
        // semi-supervised: the CE of both halves sees only the samples that keep their label
        boolean[] labelled = p == 0 ? batch.labelledMask() : concat(last.labelled(), batch.labelledMask());
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
            NDArray ce = labelled == null ? DistillLoss.softCrossEntropy(y, logits, 1)
                    : DistillLoss.maskedMean(DistillLoss.softCrossEntropyPerSample(y, logits), labelled);
            Losses l = new Losses().add(net.name(), "ce", ce);
            if (target != null) {
                NDArray zPrev = logits.get("0:" + p);
                l.add(net.name(), "dlb_kl", Scalars.mul(DistillLoss.kl(target, zPrev, options.temperature()),
                        (float) options.alpha()));
            }
            return l.keep("current_logits", logits.get(p + ":"));
        });
        // remember this batch for the next step: its second view and the logits of its first view
        var host = batch.host();
        last.remember(host.views()[1], new long[] {batch.size(), host.channels(), host.height(), host.width()},
                host.targets(classes), batch.indices(), losses.output("current_logits"), batch.labelledMask());
        return losses;
    }

    private static boolean[] concat(boolean[] a, boolean[] b) {
        if (a == null || b == null) {
            return null;
        }
        boolean[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    LastBatch lastBatch() { return last; }

    @Override
    public List<Stateful> state() {
        return List.of(last);
    }
}
