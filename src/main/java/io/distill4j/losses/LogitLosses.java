package io.distill4j.losses;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.distill4j.util.Scalars;

/**
 * Logit-based distillation losses beyond Hinton's KL (docs/methods.md sections 13 to 18): logit standardisation
 * (Sun et al. 2024), DIST's correlation losses (Huang et al. 2022), NKD's normalised loss (Yang et al. 2023),
 * WTTM's weighted transformed-teacher KL (Zheng and Yang 2024), MLKD's class and batch correlations (Jin et al.
 * 2023) and the KL at a learned temperature (CTKD, Li et al. 2023). Each is written in NDArray operations that
 * autograd follows; the teacher's side is always detached, so no gradient reaches it.
 */
public final class LogitLosses {
    /** Added to the standard deviation in {@link #standardize}, as the article's code does. */
    public static final float STANDARDIZE_EPS = 1e-7f;
    /** Added to the product of the norms in a Pearson correlation, as DIST's reference code does. */
    public static final float PEARSON_EPS = 1e-8f;
    /** Subtracted from the target class's logit (over T) to leave it out of a softmax (DKD's masking). */
    private static final float MASK = 1000f;

    private LogitLosses() {}

    /**
     * Logit standardisation (Sun et al., CVPR 2024, the article's code {@code normalize}): each row z-scored over
     * the classes, {@code (z - mean(z)) / (std(z) + 1e-7)}, with the unbiased standard deviation (divisor C - 1,
     * PyTorch's {@code Tensor.std} default, which the article's code calls). The result of a row is unchanged
     * by adding a constant to the row and by multiplying it by a positive one (up to the epsilon). Autograd flows
     * through it; detach the input for a teacher.
     */
    public static NDArray standardize(NDArray logits) {
        long classes = logits.getShape().get(1);
        NDArray centred = logits.sub(logits.mean(new int[] {1}, true));
        NDArray variance = Scalars.div(centred.square().sum(new int[] {1}, true), (double) (classes - 1));
        return centred.div(Scalars.add(variance.sqrt(), STANDARDIZE_EPS));
    }

    /**
     * DIST's two terms (Huang et al., NeurIPS 2022), unweighted: {@code NDList(inter, intra)} with
     * {@code p = softmax(z / T)} of either side, {@code inter = T^2 (1 - mean over samples of pearson(p_s[i, :],
     * p_t[i, :]))} and {@code intra = T^2 (1 - mean over classes of pearson(p_s[:, c], p_t[:, c]))}, the second
     * across the batch. The teacher's logits are detached.
     */
    public static NDList dist(NDArray teacherLogits, NDArray studentLogits, double temperature) {
        float invT = (float) (1.0 / temperature);
        float t2 = (float) (temperature * temperature);
        NDArray ps = Scalars.mul(studentLogits, invT).softmax(1);
        NDArray pt = Scalars.mul(teacherLogits.stopGradient(), invT).softmax(1);
        NDArray inter = Scalars.sub(pearsonRows(ps, pt).mean(), 1f).neg();
        NDArray intra = Scalars.sub(pearsonRows(ps.transpose(), pt.transpose()).mean(), 1f).neg();
        return new NDList(Scalars.mul(inter, t2), Scalars.mul(intra, t2));
    }

    /**
     * Per row, the Pearson correlation of {@code a} and {@code b} (N, K), shape N: the cosine similarity of the
     * rows centred on their means, {@code <a', b'> / (|a'| |b'| + 1e-8)}, as DIST's reference code computes it.
     */
    public static NDArray pearsonRows(NDArray a, NDArray b) {
        NDArray ca = a.sub(a.mean(new int[] {1}, true));
        NDArray cb = b.sub(b.mean(new int[] {1}, true));
        NDArray norms = ca.norm(new int[] {1}, false).mul(cb.norm(new int[] {1}, false));
        return ca.mul(cb).sum(new int[] {1}).div(Scalars.add(norms, PEARSON_EPS));
    }

    /**
     * NKD's two terms (Yang et al., ICCV 2023, the official code's {@code NKDLoss}), unweighted:
     * {@code NDList(target, nonTarget)} with {@code target = -(1/N) sum_i t_i,y log s_i,y} (t, s the teacher's and
     * the student's softmax at temperature 1, t detached) and {@code nonTarget = -T^2 (1/N) sum_i sum_(c != y)
     * t^_ic log s^_ic}, where t^ and s^ are the softmaxes at T of the logits without the target class (the target's
     * logit is pushed out by subtracting 1000 after the division by T, as DKD's code does; the reference removes
     * the column, the same as long as the target's logit over T is not within 1000 - 104 of the others').
     * The gamma of the article multiplies {@code nonTarget}.
     */
    public static NDList nkd(NDArray teacherLogits, NDArray studentLogits, NDArray labels, double temperature) {
        NDArray t = teacherLogits.stopGradient();
        int classes = (int) studentLogits.getShape().get(1);
        NDArray target = labels.oneHot(classes, studentLogits.getDataType());
        NDArray ty = t.softmax(1).mul(target).sum(new int[] {1});
        NDArray logsy = studentLogits.logSoftmax(1).mul(target).sum(new int[] {1});
        NDArray targetTerm = ty.mul(logsy).mean().neg();
        float invT = (float) (1.0 / temperature);
        NDArray masked = Scalars.mul(target, MASK);
        NDArray logps = Scalars.mul(studentLogits, invT).sub(masked).logSoftmax(1);
        NDArray pt = Scalars.mul(t, invT).sub(masked).softmax(1);
        NDArray nonTarget = pt.mul(logps).sum(new int[] {1}).mean().neg();
        return new NDList(targetTerm, Scalars.mul(nonTarget, (float) (temperature * temperature)));
    }

    /**
     * WTTM's loss (Zheng and Yang, ICLR 2024, the official code's {@code WTTM}), unweighted:
     * {@code (1/N) sum_i U_i KL(q_i || softmax(z_s,i))}, the student at temperature 1 against the teacher's
     * power-transformed distribution {@code q = p_t^(1/T) / U = softmax(z_t / T)}, each sample weighted by the
     * power sum {@code U = sum_c p_t,c^(1/T)} of the teacher's probabilities {@code p_t = softmax(z_t)}. U is
     * computed as {@code sum_c exp(log p_t,c / T)} (each term at most 1: no overflow for any logits). No T^2 factor
     * (the reference has none). The teacher's logits are detached.
     */
    public static NDArray wttm(NDArray teacherLogits, NDArray studentLogits, double temperature) {
        NDArray t = teacherLogits.stopGradient();
        float invT = (float) (1.0 / temperature);
        NDArray power = Scalars.mul(t.logSoftmax(1), invT).exp().sum(new int[] {1});
        NDArray q = Scalars.mul(t, invT).softmax(1);
        NDArray kl = DistillLoss.klFromProbsPerSample(q, studentLogits.logSoftmax(1));
        return power.mul(kl).mean();
    }

    /**
     * MLKD's class-level alignment ({@code cc_loss} of its code): with {@code p = softmax(z / T)} (N, C) of either
     * side, the class correlation {@code G = p^T p} (C, C) and {@code sum((G_t - G_s)^2) / C}; no T^2 factor. The
     * teacher's logits are detached.
     */
    public static NDArray classCorrelation(NDArray teacherLogits, NDArray studentLogits, double temperature) {
        NDArray[] p = softened(teacherLogits, studentLogits, temperature);
        NDArray gt = p[0].transpose().matMul(p[0]);
        NDArray gs = p[1].transpose().matMul(p[1]);
        return Scalars.div(gt.sub(gs).square().sum(), (double) teacherLogits.getShape().get(1));
    }

    /**
     * MLKD's batch-level alignment ({@code bc_loss} of its code): the sample correlation {@code G = p p^T} (N, N) and
     * {@code sum((G_t - G_s)^2) / N}; no T^2 factor. The teacher's logits are detached.
     */
    public static NDArray batchCorrelation(NDArray teacherLogits, NDArray studentLogits, double temperature) {
        NDArray[] p = softened(teacherLogits, studentLogits, temperature);
        NDArray gt = p[0].matMul(p[0].transpose());
        NDArray gs = p[1].matMul(p[1].transpose());
        return Scalars.div(gt.sub(gs).square().sum(), (double) teacherLogits.getShape().get(0));
    }

    private static NDArray[] softened(NDArray teacherLogits, NDArray studentLogits, double temperature) {
        float invT = (float) (1.0 / temperature);
        return new NDArray[] {Scalars.mul(teacherLogits.stopGradient(), invT).softmax(1),
            Scalars.mul(studentLogits, invT).softmax(1)};
    }

    /**
     * KD's {@code T^2 KL(softmax(z_t / T) || softmax(z_s / T))}, batchmean, at a temperature that is itself a tensor
     * of shape (1) with a gradient (CTKD): the gradient reaches T through both softmaxes and the T^2 factor. The
     * teacher's logits are detached, and copied: a teacher's forward in inference mode makes tensors that autograd
     * cannot save, and the gradient to T needs them.
     */
    public static NDArray klAtTemperature(NDArray teacherLogits, NDArray studentLogits, NDArray temperature) {
        NDArray logq = teacherLogits.stopGradient().duplicate().div(temperature).logSoftmax(1);
        NDArray logp = studentLogits.div(temperature).logSoftmax(1);
        NDArray perSample = logq.exp().mul(logq.sub(logp)).sum(new int[] {1});
        return perSample.mean().mul(temperature.square().reshape());
    }
}
