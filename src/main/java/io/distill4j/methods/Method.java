package io.distill4j.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.distill4j.knowledge.Teacher;
import io.distill4j.runtime.Net;
import io.distill4j.runtime.Stateful;
import io.distill4j.util.Scalars;
import io.distill4j.util.Sums;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A training method: it sees a batch and its networks, returns named losses per network, and owns the
 * state it must checkpoint. One file per method, registered in {@link MethodRegistry}.
 */
public interface Method {
    /** Independent augmented views per sample this method needs (view 0 always exists). */
    default int views() {
        return 1;
    }

    /**
     * The views (of {@link #views}; never view 0) augmented by the data pipeline's strong augmentation
     * ({@code data.strong_ops}: RandAugment after the crop and flip) instead of the run's: MLKD's strong view.
     */
    default Set<Integer> strongViews() {
        return Set.of();
    }

    /** One training step. Typical body: {@code return ctx.update(() -> losses computed from forward passes);} */
    Losses step(Batch batch, StepContext ctx);

    /**
     * Predictions to evaluate, as probabilities (N, classes) keyed by output name: by default each trainable
     * network, and {@code "ensemble"} (mean of probabilities) when there are several.
     */
    default Map<String, NDArray> evaluate(NDArray images, List<Net> trainable) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        NDArray sum = null;
        for (Net n : trainable) {
            NDArray p = n.logits(images, false).softmax(1);
            out.put(n.name(), p);
            sum = Sums.plus(sum, p);
        }
        if (trainable.size() > 1) {
            out.put("ensemble", Scalars.div(sum, trainable.size()));
        }
        return out;
    }

    /** The evaluation output whose top-1 decides the best checkpoint. */
    default String primaryOutput(List<Net> trainable) {
        return trainable.size() > 1 ? "ensemble" : trainable.get(0).name();
    }

    /**
     * Networks the method trains besides the run's (e.g. MEAL V2's discriminator): stepped by
     * {@link StepContext#update} when they have a loss term, saved in checkpoints. Built in {@link #attach}.
     */
    default List<Net> ownNetworks() {
        return List.of();
    }

    /**
     * Called once the run's networks exist, with a long-lived manager for the method's own networks and the
     * trainable networks (e.g. to size a head on their features).
     * The run's frozen teachers come too (feature methods size their heads on the teachers' feature maps).
     */
    default void attach(NDManager manager, List<Net> trainable, List<Teacher> teachers) {}


    /**
     * The method's state besides its networks (a stored batch, knowledge stores...), each piece saved into
     * checkpoints under its own name and restored by the run's one restore path.
     */
    default List<Stateful> state() {
        return List.of();
    }

    /**
     * The temperature at which the method softens its teachers' logits (KD's, MEAL V2's): what a compact store of
     * those logits must keep exact. 1 for a method without teachers.
     */
    default double softTargetTemperature() {
        return 1;
    }

    /** Facts about the method's set-up worth reporting with the run (e.g. the size of a knowledge store). */
    default List<String> notes() {
        return List.of();
    }
}
