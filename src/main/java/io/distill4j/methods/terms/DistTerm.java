package io.distill4j.methods.terms;

import ai.djl.ndarray.NDList;
import io.distill4j.config.Option;
import io.distill4j.losses.LogitLosses;
import io.distill4j.methods.Losses;
import io.distill4j.util.Scalars;

import java.util.OptionalDouble;

/**
 * Term {@code dist}: DIST's inter- and intra-class relations (docs/methods.md section 14), {@code weight * beta *
 * inter} and {@code weight * gamma * intra} at temperature T times T^2. Logged as {@code inter} and {@code intra}.
 */
public final class DistTerm implements Term {
    /** Options of {@code dist}. */
    public record Options(
            @Option(doc = "a factor of both terms' weights", value = "1", min = 0, max = 1e6) double weight,
            @Option(doc = "weight beta of the inter-class term, 1 - mean over samples of pearson(p_s[i], p_t[i]) "
                    + "(reference code's default beta=1.0)", value = "1", min = 0, max = 1e6) double beta,
            @Option(doc = "weight gamma of the intra-class term, 1 - mean over classes of the correlation across the "
                    + "batch (reference code's default gamma=1.0)", value = "1", min = 0, max = 1e6) double gamma,
            @Option(doc = "softmax temperature T of both sides, terms times T^2 (reference code's default tau=1.0)",
                    value = "1", min = 1e-3, max = 1e3) double temperature) {}

    private final Options options;

    public DistTerm(Options options) {
        this.options = options;
    }

    @Override
    public Reads reads() { return Reads.LOGITS; }

    @Override
    public OptionalDouble softTargetTemperature() { return OptionalDouble.of(options.temperature()); }

    @Override
    public void add(TermInputs in, Losses out) {
        NDList dist = LogitLosses.dist(in.teacherLogits(), in.studentLogits(), options.temperature());
        String name = in.student().name();
        out.add(name, "inter", Scalars.mul(dist.get(0), (float) (options.weight() * options.beta())));
        out.add(name, "intra", Scalars.mul(dist.get(1), (float) (options.weight() * options.gamma())));
    }
}
