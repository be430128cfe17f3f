package io.distill4j.methods.terms;

import io.distill4j.config.Option;
import io.distill4j.losses.DistillLoss;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Warmup;
import io.distill4j.util.Scalars;

import java.util.OptionalDouble;

/**
 * Term {@code kd}: Hinton's {@code w * weight * T^2 KL(softmax(z_t / T) || softmax(z_s / T))} (docs/methods.md
 * section 1), the teacher's logits detached; {@code w} an optional warm-up ({@link Warmup}); with
 * {@code logit_standardization} both sides z-scored first (section 13). Logged as {@code kd}.
 */
public final class KdTerm implements Term {
    /** Options of {@code kd}. */
    public record Options(
            @Option(doc = "weight b of the T^2-scaled KL to the teacher", value = "0.9", min = 0, max = 1e6)
            double weight,
            @Option(doc = "softmax temperature T of both sides", value = "4", min = 1e-3, max = 1e3)
            double temperature,
            @Option(doc = "epochs over which the weight grows linearly to 1 (0: none)", value = "0", min = 0,
                    max = 1e6) int warmup,
            @Option(doc = "epoch: min((e + 1) / warmup, 1), constant within an epoch; step: linear in the step from "
                    + "near 0", value = "epoch") Warmup.By warmupBy,
            @Option(doc = "z-score each sample's teacher and student logits over the classes before T", value = "false")
            boolean logitStandardization) {}

    private final Options options;

    public KdTerm(Options options) {
        this.options = options;
    }


    @Override
    public Reads reads() { return Reads.LOGITS; }

    @Override
    public OptionalDouble softTargetTemperature() { return OptionalDouble.of(options.temperature()); }

    @Override
    public void add(TermInputs in, Losses out) {
        boolean standardize = options.logitStandardization();
        // without a warm-up the weight is b itself (no factor 1.0 multiplied in: runs stay bit-identical)
        float b = options.warmup() == 0 ? (float) options.weight()
                : (float) Warmup.weight(options.warmup(), options.warmupBy(), in.ctx()) * (float) options.weight();
        out.add(in.student().name(), "kd", Scalars.mul(DistillLoss.kl(in.teacherLogits(standardize),
                in.studentLogits(standardize), options.temperature()), b));
    }
}
