package io.distill4j.knowledge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.distill4j.util.Scalars;
import io.distill4j.util.Sums;

import java.util.List;

/**
 * Frozen teachers as a knowledge source: their predictions for a batch, in inference mode (BatchNorm running
 * statistics), outside the gradient tape. Used by KD (one teacher) and MEAL V2 (the ensemble). With a store of
 * their outputs ({@link TeacherOutputs}, {@code train.teacher_outputs}) the logits of the step's batch are read
 * instead of computed: the same numbers, without the teachers' forward passes.
 */
public final class Teachers {
    private final List<Teacher> nets;
    private final TeacherOutputs store;
    private final long step;

    public Teachers(List<Teacher> nets) {
        this(nets, null, -1);
    }

    /** Teachers answering from {@code store} (when not null) for the batch of global step {@code step}. */
    public Teachers(List<Teacher> nets, TeacherOutputs store, long step) {
        this.nets = List.copyOf(nets);
        this.store = store;
        this.step = step;
    }

    public int size() { return nets.size(); }

    /** Teacher {@code i}'s logits for {@code x} (the step's batch when read from the store). */
    public NDArray logits(int i, NDArray x) {
        return store != null ? store.logits(x.getManager(), step, i) : nets.get(i).logits(x);
    }

    /**
     * Teacher {@code i}'s logits, pooled features and named feature maps for {@code x}, always from its forward
     * pass (a store of outputs keeps logits only).
     */
    public NDList features(int i, NDArray x, List<String> stages) {
        return nets.get(i).features(x, stages);
    }

    /** The ensemble's knowledge of a batch: mean of softmax(z_k / T) and mean of the logits z_k. */
    public record Ensemble(NDArray meanProbabilities, NDArray meanLogits) {}

    public Ensemble ensemble(NDArray x, double temperature) {
        NDArray probSum = null;
        NDArray logitSum = null;
        for (int i = 0; i < nets.size(); i++) {
            NDArray z = logits(i, x);
            NDArray p = Scalars.mul(z, (float) (1 / temperature)).softmax(1);
            probSum = Sums.plus(probSum, p);
            logitSum = Sums.plus(logitSum, z);
        }
        return new Ensemble(Scalars.div(probSum, nets.size()), Scalars.div(logitSum, nets.size()));
    }
}
