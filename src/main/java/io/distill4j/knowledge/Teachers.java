package io.distill4j.knowledge;

import ai.djl.ndarray.NDArray;
import io.distill4j.runtime.Net;

import java.util.List;

/**
 * Frozen teachers as a knowledge source: their predictions for a batch, in inference mode (BatchNorm running
 * statistics), outside the gradient tape. Used by KD (one teacher) and MEAL V2 (the ensemble).
 */
public final class Teachers {
    private final List<Net> nets;

    public Teachers(List<Net> nets) {
        this.nets = List.copyOf(nets);
    }

    public int size() { return nets.size(); }

    /** Teacher {@code i}'s logits for {@code x}. */
    public NDArray logits(int i, NDArray x) {
        return nets.get(i).logits(x, false);
    }

    /** The ensemble's knowledge of a batch: mean of softmax(z_k / T) and mean of the logits z_k. */
    public record Ensemble(NDArray meanProbabilities, NDArray meanLogits) {}

    public Ensemble ensemble(NDArray x, double temperature) {
        NDArray probSum = null;
        NDArray logitSum = null;
        for (Net t : nets) {
            NDArray z = t.logits(x, false);
            NDArray p = z.mul((float) (1 / temperature)).softmax(1);
            probSum = probSum == null ? p : probSum.add(p);
            logitSum = logitSum == null ? z : logitSum.add(z);
        }
        return new Ensemble(probSum.div(nets.size()), logitSum.div(nets.size()));
    }
}
