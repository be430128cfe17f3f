package io.distill4j.methods;

import io.distill4j.knowledge.Teachers;
import io.distill4j.runtime.Net;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/** What a method sees of the run during one training step. */
public interface StepContext {
    /** A network of the run by name (trainable or frozen). */
    Net net(String name);

    /** The trainable networks, in config order. */
    List<Net> trainable();


    /**
     * The teachers as a knowledge source for this step's batch: their forward passes, or their stored outputs
     * when the run has them ({@code train.teacher_outputs}). Call it outside {@link #update}.
     */
    Teachers teacherKnowledge();

    /** Global step (0-based), epoch (0-based), steps per epoch and total steps. */
    long step();

    int epoch();

    int stepsPerEpoch();

    long totalSteps();

    /** The learning rate of this step. */
    double lr();

    /** A random generator for this step and the given purpose, reproducible on resume. */
    SplittableRandom rng(String purpose);

    /**
     * Records the forward passes made inside {@code compute}, back-propagates the sum of the returned losses
     * and steps the optimizer of every network that has a loss term. Methods with several updates per step
     * (sequential DML) call it several times.
     */
    Losses update(Supplier<Losses> compute);

    /** Records a diagnostic value of this step (written to metrics.jsonl as a {@code diagnostic} line). */
    void diagnostic(String name, double value);
}
