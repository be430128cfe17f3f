package io.distill4j.losses;

import ai.djl.ndarray.NDArray;
import io.distill4j.util.HostArrays;
import io.distill4j.util.Scalars;

/**
 * The project's one home for classification and distillation losses (docs/methods.md, notation).
 *
 * <p>Every KL and soft cross-entropy here is summed over classes, averaged over the batch ("batchmean"),
 * and multiplied by {@code T^2} when a temperature softens both sides. The target side is always detached:
 * no gradient flows into a teacher, a peer's target or a stored soft label.
 */
public final class DistillLoss {
    /** Probabilities below this count as 0 in {@code q log q}, so one-hot and confident targets give no NaN. */
    private static final float TINY = 1e-30f;

    private DistillLoss() {}

    /** Cross-entropy with hard labels (int64, shape N), batch mean. */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        return crossEntropyPerSample(logits, labels).mean();
    }

    /** Per-sample cross-entropy with hard labels, shape N. */
    public static NDArray crossEntropyPerSample(NDArray logits, NDArray labels) {
        NDArray logp = logits.logSoftmax(1);
        return logp.mul(labels.oneHot((int) logits.getShape().get(1), logits.getDataType()))
                .sum(new int[] {1}).neg();
    }

    /** {@code T^2 * KL(softmax(target/T) || softmax(student/T))}, batchmean; the target logits are detached. */
    public static NDArray kl(NDArray targetLogits, NDArray studentLogits, double temperature) {
        NDArray t = targetLogits.stopGradient();
        float invT = (float) (1.0 / temperature);
        NDArray logq = Scalars.mul(t, invT).logSoftmax(1);
        NDArray logp = Scalars.mul(studentLogits, invT).logSoftmax(1);
        NDArray perSample = logq.exp().mul(logq.sub(logp)).sum(new int[] {1});
        return Scalars.mul(perSample.mean(), (float) (temperature * temperature));
    }

    /**
     * {@code T^2 * KL(q || softmax(student/T))} for a target given as probabilities {@code q} (already at the
     * temperature, e.g. a mean of softmaxes or a stored soft label), batchmean; {@code q} is detached.
     */
    public static NDArray klToProbs(NDArray targetProbs, NDArray studentLogits, double temperature) {
        NDArray logp = Scalars.mul(studentLogits, (float) (1.0 / temperature)).logSoftmax(1);
        return Scalars.mul(klFromProbsPerSample(targetProbs, logp).mean(), (float) (temperature * temperature));
    }

    /**
     * Per-sample {@code KL(q || p) = sum_c q_c (log q_c - log p_c)}, shape N, for a target given as probabilities
     * {@code q} (detached) and the student's log-probabilities; no temperature factor and no mean.
     */
    public static NDArray klFromProbsPerSample(NDArray targetProbs, NDArray studentLogProbs) {
        NDArray q = targetProbs.stopGradient();
        return q.mul(q.clip(TINY, 1f).log().sub(studentLogProbs)).sum(new int[] {1});
    }

    /** Per-sample soft cross-entropy {@code -sum_c q_c log softmax(z)_c}, shape N; {@code q} is detached. */
    public static NDArray softCrossEntropyPerSample(NDArray targetProbs, NDArray logits) {
        return targetProbs.stopGradient().mul(logits.logSoftmax(1)).sum(new int[] {1}).neg();
    }

    /**
     * The mean of a per-sample loss over the samples whose {@code mask} entry is true (semi-supervised: the
     * labelled ones); 0 when the batch has none. The other samples contribute neither value nor gradient.
     */
    public static NDArray maskedMean(NDArray perSample, boolean[] mask) {
        float[] w = new float[mask.length];
        int count = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                w[i] = 1f;
                count++;
            }
        }
        return Scalars.div(perSample.mul(HostArrays.floats(perSample.getManager(), w)).sum(), (float) Math.max(1, count));
    }

    /** Soft cross-entropy {@code -sum_c q_c log softmax(student/T)_c * T^2}, batchmean; {@code q} is detached. */
    public static NDArray softCrossEntropy(NDArray targetProbs, NDArray studentLogits, double temperature) {
        NDArray q = targetProbs.stopGradient();
        NDArray logp = Scalars.mul(studentLogits, (float) (1.0 / temperature)).logSoftmax(1);
        return Scalars.mul(q.mul(logp).sum(new int[] {1}).mean().neg(), (float) (temperature * temperature));
    }

    /** Binary cross-entropy with logits against 0/1 targets of the same shape, mean over all elements. */
    public static NDArray binaryCrossEntropyWithLogits(NDArray logits, NDArray targets) {
        // max(x, 0) - x * y + log(1 + exp(-|x|)): stable for large |x|
        NDArray softplus = Scalars.add(logits.abs().neg().exp(), 1f).log();
        return Scalars.maximum(logits, 0f).sub(logits.mul(targets)).add(softplus).mean();
    }
    /**
     * Per-sample {@code KL(softmax(a) || softmax(b))}, shape N, with no detaching and no temperature: a
     * consistency term between two predictions that both learn (detach a side with {@code stopGradient()}).
     */
    public static NDArray klPerSample(NDArray aLogits, NDArray bLogits) {
        NDArray loga = aLogits.logSoftmax(1);
        NDArray logb = bLogits.logSoftmax(1);
        return loga.exp().mul(loga.sub(logb)).sum(new int[] {1});
    }

    /** Per-sample symmetric KL {@code (KL(p_a || p_b) + KL(p_b || p_a)) / 2}, shape N; both sides learn. */
    public static NDArray symmetricKlPerSample(NDArray aLogits, NDArray bLogits) {
        return Scalars.mul(klPerSample(aLogits, bLogits).add(klPerSample(bLogits, aLogits)), 0.5f);
    }

    /** Per-sample L1 distance of the probabilities {@code sum_c |p_a,c - p_b,c|}, shape N; both sides learn. */
    public static NDArray l1PerSample(NDArray aLogits, NDArray bLogits) {
        return aLogits.softmax(1).sub(bLogits.softmax(1)).abs().sum(new int[] {1});
    }
}
