package io.distill4j.losses;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.distill4j.util.Scalars;

/**
 * Zhao et al.'s decoupled knowledge distillation (DKD, CVPR 2022; docs/methods.md section 9): the KL of
 * Hinton's KD split into its target-class part and its non-target-class part, each at temperature T, each summed
 * over its classes, averaged over the batch and multiplied by {@code T^2}. The teacher's side is detached.
 */
public final class DecoupledKd {
    /** Probabilities below this count as 0 in {@code q log q} (a teacher certain of the target class). */
    private static final float TINY = 1e-30f;
    /** Subtracted from the target class's logit (over T) to leave it out of the non-target softmax, as the reference. */
    private static final float MASK = 1000f;

    private DecoupledKd() {}

    /** TCKD and NCKD, unweighted: {@code NDList(tckd, nckd)}. */
    public static NDList terms(NDArray teacherLogits, NDArray studentLogits, NDArray labels, double temperature) {
        NDArray t = teacherLogits.stopGradient();
        int classes = (int) studentLogits.getShape().get(1);
        float invT = (float) (1.0 / temperature);
        float t2 = (float) (temperature * temperature);
        NDArray target = labels.oneHot(classes, studentLogits.getDataType());
        NDArray st = Scalars.mul(studentLogits, invT);
        NDArray tt = Scalars.mul(t, invT);
        // TCKD: KL between the binary distributions (p of the target class, p of all the others)
        NDArray bs = binary(st.softmax(1), target);
        NDArray bt = binary(tt.softmax(1), target);
        NDArray tckd = klRows(bt, bs.clip(TINY, 1f).log());
        // NCKD: KL between the distributions among the non-target classes
        NDArray masked = Scalars.mul(target, MASK);
        NDArray logps = st.sub(masked).logSoftmax(1);
        NDArray pt = tt.sub(masked).softmax(1);
        NDArray nckd = klRows(pt, logps);
        return new NDList(Scalars.mul(tckd, t2), Scalars.mul(nckd, t2));
    }

    /** (N, 2): the mass of the target class and the mass of the others. */
    private static NDArray binary(NDArray p, NDArray target) {
        NDArray onTarget = p.mul(target).sum(new int[] {1}, true);
        return NDArrays.concat(new NDList(onTarget, Scalars.sub(onTarget, 1f).neg()), 1);
    }

    /** Batch mean of {@code sum_j q_j (log q_j - logp_j)}, with 0 log 0 = 0. */
    private static NDArray klRows(NDArray q, NDArray logp) {
        return q.mul(q.clip(TINY, 1f).log().sub(logp)).sum(new int[] {1}).mean();
    }
}
