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
 * instead of computed: the same numbers, without the teachers' forward passes. With a store of their outputs over
 * views ({@link TeacherViews}, {@code train.teacher_views}) the logits of the batch's first view are looked up
 * (each sample's image and the view it drew); any other input (a method's own views, MLKD's strong ones) still
 * runs the teachers.
 */
public final class Teachers {
    private final List<Teacher> nets;
    private final TeacherOutputs store;
    private final long step;
    private final StoredViews views;

    /**
     * A store over views answering for one batch: {@code input}, the batch's first view as the method receives it
     * (the store answers for that array only), and per sample its image's row in the store and its view's code.
     */
    public record StoredViews(TeacherViews store, NDArray input, int[] rows, int[] codes) {}

    public Teachers(List<Teacher> nets) {
        this(nets, null, -1, null);
    }

    /**
     * Teachers answering from {@code store} (when not null) for the batch of global step {@code step}, or from
     * {@code views} (when not null) for the batch's first view.
     */
    public Teachers(List<Teacher> nets, TeacherOutputs store, long step, StoredViews views) {
        this.nets = List.copyOf(nets);
        this.store = store;
        this.step = step;
        this.views = views;
    }

    public int size() { return nets.size(); }

    /** Teacher {@code i}'s logits for {@code x} (the step's batch when read from the store). */
    public NDArray logits(int i, NDArray x) {
        if (views != null && x == views.input()) {
            return views.store().logits(x.getManager(), views.rows(), views.codes(), i);
        }
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
