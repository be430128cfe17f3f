package io.distill4j.methods.terms;

import io.distill4j.config.Option;
import io.distill4j.losses.LogitLosses;
import io.distill4j.methods.Losses;
import io.distill4j.util.Scalars;

import java.util.OptionalDouble;

/**
 * Term {@code wttm}: WTTM's U-weighted KL of the student at temperature 1 to the power-transformed teacher
 * (docs/methods.md section 16), {@code weight * mean_i U_i KL(q_i || p_s,i)}. Logged as {@code wttm}.
 */
public final class WttmTerm implements Term {
    /** Options of {@code wttm}. */
    public record Options(
            @Option(doc = "weight beta of the U-weighted KL (the official README's WTTM example: -a 4)", value = "4",
                    min = 0, max = 1e6) double weight,
            @Option(doc = "T of the teacher's transform p_t^(1/T), i.e. 1 / the reference's --ttm_l (README "
                    + "example --ttm_l 0.2: T 5); the student stays at temperature 1", value = "5", min = 1e-3,
                    max = 1e3) double temperature) {}

    private final Options options;

    public WttmTerm(Options options) {
        this.options = options;
    }

    @Override
    public Reads reads() { return Reads.LOGITS; }

    @Override
    public OptionalDouble softTargetTemperature() { return OptionalDouble.of(options.temperature()); }

    @Override
    public void add(TermInputs in, Losses out) {
        out.add(in.student().name(), "wttm", Scalars.mul(LogitLosses.wttm(in.teacherLogits(), in.studentLogits(),
                options.temperature()), (float) options.weight()));
    }
}
