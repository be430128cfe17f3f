package io.distill4j.methods.dml;

import ai.djl.ndarray.NDArray;
import io.distill4j.util.Scalars;
import io.distill4j.util.Sums;

import java.util.List;

/**
 * Peers as a knowledge source for online distillation: the targets a peer learns from are the other peers'
 * current predictions, detached.
 */
public final class Peers {
    private Peers() {}

    /** {@code mean_{j != k} softmax(z_j / T)}, detached: DML_e's fused teacher for peer {@code k}. */
    public static NDArray meanOfOthers(List<NDArray> logits, int k, double temperature) {
        NDArray mean = null;
        for (int j = 0; j < logits.size(); j++) {
            if (j != k) {
                NDArray pj = Scalars.mul(logits.get(j).stopGradient(), (float) (1 / temperature)).softmax(1);
                mean = Sums.plus(mean, pj);
            }
        }
        return Scalars.div(mean, logits.size() - 1);
    }
}
