package io.distill4j.loop;

import java.util.Map;

/**
 * Something that follows a training run: metrics logging, progress text, best-checkpoint tracking,
 * checkpoint writing, the summary. The {@link Trainer} calls its listeners in order; a listener that also
 * implements {@code runtime.Stateful} is saved in every checkpoint and restored on resume.
 */
public interface TrainingListener extends AutoCloseable {
    /**
     * What one step did: its epoch (0-based), the global step count after it, learning rate, loss terms, the
     * batch's images, seconds, diagnostics, and its cost: images forwarded and backpropagated over all networks.
     */
    record StepEnd(int epoch, long step, double lr, Map<String, Float> losses, int images, double seconds,
                   Map<String, Double> diagnostics, long forwarded, long backpropagated) {}

    /** Before the first step (after a restore on resume). */
    default void onStart(Trainer trainer, boolean resumed) {}

    default void onStep(Trainer trainer, StepEnd step) {}

    /** Before an evaluation at the end of {@code epoch} (1-based), e.g. to re-estimate BatchNorm statistics. */
    default void beforeEvaluation(Trainer trainer, int epoch) {}

    /** After an evaluation (of every split evaluated) at the end of an epoch. */
    default void onEvaluation(Trainer trainer, Evaluation evaluation) {}

    /** At the end of an epoch, after its evaluation. */
    default void onEpochEnd(Trainer trainer, int epoch) {}

    /** The run stops before its end (Ctrl-C, {@code --stop-after-steps}) after the current step. */
    default void onStop(Trainer trainer) {}

    /** Every step is done. */
    default void onFinish(Trainer trainer) {}

    /** Always called, also when training failed. */
    @Override
    default void close() {}
}
