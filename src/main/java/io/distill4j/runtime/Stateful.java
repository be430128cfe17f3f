package io.distill4j.runtime;

import ai.djl.ndarray.NDManager;

/**
 * A piece of run state that checkpoints itself under a name it owns: a method's stored batch or knowledge, a
 * listener's best scores, the loop's clock. The run's one restore path ({@code training.RunState}) saves and
 * loads every {@code Stateful} of a run, so a new piece of state needs no code in the trainer.
 */
public interface Stateful {
    /** The section name, unique within a run (e.g. {@code dlb/last_batch}, {@code best}). */
    String stateName();

    /** Writes this state into its section. */
    void save(Checkpoint.Section section);

    /** Restores what {@link #save} wrote; arrays that outlive the call go into {@code manager}. */
    void load(Checkpoint.Section section, NDManager manager);
}
