package io.distill4j.methods.terms;

import ai.djl.ndarray.NDManager;
import io.distill4j.knowledge.Teacher;
import io.distill4j.methods.Losses;
import io.distill4j.runtime.Net;
import io.distill4j.runtime.Stateful;

import java.util.List;
import java.util.OptionalDouble;

/**
 * One summand of a single-student method's loss (docs/methods.md, "Composing terms"): what it reads of the step
 * ({@link #reads}), the parts it trains or keeps besides the student (a regressor, CRD's heads and memory), and its
 * weighted value(s), added to the step's {@link Losses} under its name(s). A {@link Composition} runs a list of terms
 * on one student forward and one teacher forward; the methods kd, dkd, fitnet, at and crd are compositions, and
 * {@code compose} is one written in the config.
 */
public interface Term {
    /** What a term reads of the step: the teacher (logits, or features), stage maps, pooled features. */
    record Reads(boolean teacher, List<String> studentStages, List<String> teacherStages, boolean pooled) {
        public static final Reads LABELS = new Reads(false, List.of(), List.of(), false);
        public static final Reads LOGITS = new Reads(true, List.of(), List.of(), false);
    }

    Reads reads();

    /** Builds the term's parts once the student and the teacher exist (and checks its stages against them). */
    default void attach(NDManager manager, Net student, Teacher teacher) {}

    /** Networks the term trains besides the student (stepped through {@link Losses#alsoStep}, checkpointed). */
    default List<Net> ownNetworks() {
        return List.of();
    }

    /** State besides networks, checkpointed (CRD's memory). */
    default List<Stateful> state() {
        return List.of();
    }

    default List<String> notes() {
        return List.of();
    }

    /** The temperature the term softens the teacher's logits at, where it has one (what a compact store keeps exact). */
    default OptionalDouble softTargetTemperature() {
        return OptionalDouble.empty();
    }

    /** Before the update, outside the gradient tape: draws and reads of state. */
    default void prepare(TermInputs in) {}

    /** Inside the gradient tape, after the student's forward: adds the term's weighted value(s) to {@code out}. */
    void add(TermInputs in, Losses out);

    /** After the update: moves state (CRD's memory) with what {@link #add} kept. */
    default void after(TermInputs in, Losses losses) {}
}
