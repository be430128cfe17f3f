package io.distill4j.methods.terms;

import ai.djl.ndarray.NDList;
import io.distill4j.config.Option;
import io.distill4j.losses.DecoupledKd;
import io.distill4j.methods.Losses;
import io.distill4j.methods.StepContext;
import io.distill4j.methods.Warmup;
import io.distill4j.util.Scalars;

import java.util.OptionalDouble;

/**
 * Term {@code dkd}: DKD's two KL terms (docs/methods.md section 9), {@code w * weight * alpha * TCKD} and
 * {@code w * weight * beta * NCKD} at temperature T times T^2, {@code w} the warm-up ({@link Warmup}); with
 * {@code logit_standardization} both sides z-scored first (section 13). Logged as {@code tckd} and {@code nckd}.
 */
public final class DkdTerm implements Term {
    /** Options of {@code dkd}. */
    public record Options(
            @Option(doc = "a factor of both terms' weights", value = "1", min = 0, max = 1e6) double weight,
            @Option(doc = "weight alpha of TCKD, the target-class KL", value = "1", min = 0, max = 1e6) double alpha,
            @Option(doc = "weight beta of NCKD, the non-target-class KL", value = "8", min = 0, max = 1e6)
            double beta,
            @Option(doc = "softmax temperature T of both sides", value = "4", min = 1e-3, max = 1e3)
            double temperature,
            @Option(doc = "epochs over which the terms' weight grows linearly to 1 (0: none)", value = "20", min = 0,
                    max = 1e6) int warmup,
            @Option(doc = "epoch: the reference's min((e + 1) / warmup, 1), constant within an epoch; step: linear in "
                    + "the step from near 0", value = "epoch") Warmup.By warmupBy,
            @Option(doc = "z-score each sample's teacher and student logits over the classes before T", value = "false")
            boolean logitStandardization) {}

    private final Options options;

    public DkdTerm(Options options) {
        this.options = options;
    }


    /** The warm-up weight w of this step. */
    public double warmupWeight(StepContext ctx) {
        return Warmup.weight(options.warmup(), options.warmupBy(), ctx);
    }

    @Override
    public Reads reads() { return Reads.LOGITS; }

    @Override
    public OptionalDouble softTargetTemperature() { return OptionalDouble.of(options.temperature()); }

    @Override
    public void add(TermInputs in, Losses out) {
        boolean standardize = options.logitStandardization();
        float w = (float) warmupWeight(in.ctx());
        NDList dkd = DecoupledKd.terms(in.teacherLogits(standardize), in.studentLogits(standardize),
                in.batch().labels(), options.temperature());
        String name = in.student().name();
        out.add(name, "tckd", Scalars.mul(dkd.get(0), w * (float) (options.weight() * options.alpha())));
        out.add(name, "nckd", Scalars.mul(dkd.get(1), w * (float) (options.weight() * options.beta())));
    }
}
