package io.distill4j.methods.terms;

import io.distill4j.knowledge.Teacher;
import io.distill4j.methods.MethodSetup;

/**
 * A term as the registry ({@link Terms}) knows it: its config name ({@code loss: NAME}), a one-line meaning, what
 * it reads of the teacher (checked before any data is read), its options record (defaults and ranges on the
 * components, see {@code config.Option}) and its factory.
 */
public record TermSpec<O extends Record>(String name, String summary, Teacher teacher, Class<O> options,
                                         Factory<O> factory) {
    /** What a term reads of the teacher: nothing, its logits (a store of outputs serves), or its features. */
    public enum Teacher { NONE, LOGITS, FEATURES }

    /** Builds a term from its options, the place they were written (for errors) and the run's set-up. */
    @FunctionalInterface
    public interface Factory<O extends Record> {
        Term create(O options, TermSite site, MethodSetup setup);
    }

    @SuppressWarnings("unchecked")
    Term create(Record options, TermSite site, MethodSetup setup) {
        return factory.create((O) options, site, setup);
    }
}
