package io.distill4j.methods;

import io.distill4j.config.RunConfig;

import java.util.function.BiFunction;

/**
 * A method as the registry knows it: its config name, a one-line meaning, its options record (defaults and
 * ranges on the record's components, see {@code config.Option}), the checks it makes on the rest of the
 * config (how many networks, teachers...) before any data is read, and its factory.
 */
public record MethodSpec<O extends Record>(String name, String summary, Class<O> options, Check check,
                                           BiFunction<O, MethodSetup, Method> factory) {
    /** Rejects a config this method cannot run, with {@code cfg.method().error(...)}. */
    @FunctionalInterface
    public interface Check {
        void check(RunConfig cfg);

        Check NONE = cfg -> { };
    }

    @SuppressWarnings("unchecked")
    Method create(Record options, MethodSetup setup) {
        return factory.apply((O) options, setup);
    }
}
