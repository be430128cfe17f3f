package io.distill4j.methods.terms;

import ai.djl.ndarray.NDList;
import io.distill4j.config.Option;
import io.distill4j.losses.LogitLosses;
import io.distill4j.methods.Losses;
import io.distill4j.util.Scalars;

import java.util.OptionalDouble;

/**
 * Term {@code nkd}: NKD's normalised loss (docs/methods.md section 15), {@code weight * target_weight * target} (at
 * temperature 1) and {@code weight * gamma * non_target} (the non-target soft cross-entropy at T, times T^2), from the
 * sample's label. Logged as {@code target} and {@code non_target}.
 */
public final class NkdTerm implements Term {
    /** Options of {@code nkd}. */
    public record Options(
            @Option(doc = "a factor of both terms' weights", value = "1", min = 0, max = 1e6) double weight,
            @Option(doc = "weight of the target term -t_y log s_y (1 in the article's eq. and code)", value = "1",
                    min = 0, max = 1e6) double targetWeight,
            @Option(doc = "weight gamma of the T^2-scaled non-target soft cross-entropy (cls_KD NKDLoss gamma=1.5)",
                    value = "1.5", min = 0, max = 1e6) double gamma,
            @Option(doc = "temperature T of the non-target distributions (cls_KD NKDLoss temp=1.0)", value = "1",
                    min = 1e-3, max = 1e3) double temperature) {}

    private final Options options;

    public NkdTerm(Options options) {
        this.options = options;
    }

    @Override
    public Reads reads() { return Reads.LOGITS; }

    @Override
    public OptionalDouble softTargetTemperature() { return OptionalDouble.of(options.temperature()); }

    @Override
    public void add(TermInputs in, Losses out) {
        NDList nkd = LogitLosses.nkd(in.teacherLogits(), in.studentLogits(), in.batch().labels(),
                options.temperature());
        String name = in.student().name();
        out.add(name, "target", Scalars.mul(nkd.get(0), (float) (options.weight() * options.targetWeight())));
        out.add(name, "non_target", Scalars.mul(nkd.get(1), (float) (options.weight() * options.gamma())));
    }
}
