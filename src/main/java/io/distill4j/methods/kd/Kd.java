package io.distill4j.methods.kd;

import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.losses.LogitLosses;
import io.distill4j.methods.Batch;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.StepContext;
import io.distill4j.methods.Warmup;
import io.distill4j.methods.terms.CeTerm;
import io.distill4j.methods.terms.ComposedMethod;
import io.distill4j.methods.terms.Composition;
import io.distill4j.methods.terms.KdTerm;

import java.util.List;

/**
 * Method {@code kd}: Hinton et al.'s knowledge distillation from one frozen teacher (docs/methods.md section 1), the
 * composition of the terms {@code ce} and {@code kd} ({@link CeTerm}, {@link KdTerm}):
 * {@code a * CE(z_s, y) + w * b * T^2 * KL(p_t^T || p_s^T)}, defaults T 4, a 0.1, b 0.9. The teacher runs in
 * inference mode (BatchNorm running statistics) outside the gradient tape. {@code w} is a warm-up of the KL term
 * ({@link Warmup}; none by default): not in Hinton et al., this project's addition so that KD and DKD can be
 * compared at the same warm-up. With {@code logit_standardization} both sides' logits are z-scored per sample
 * ({@link LogitLosses#standardize}, Sun et al. 2024; docs/methods.md section 13) before the temperature.
 */
public final class Kd extends ComposedMethod {
    /** Options of {@code kd}. */
    public record Options(
            @Option(doc = "softmax temperature T of both sides of the KL term", value = "4", min = 1e-3, max = 1e3)
            double temperature,
            @Option(doc = "weight a of the cross-entropy on the hard labels", value = "0.1", min = 0, max = 1e6)
            double ceWeight,
            @Option(doc = "weight b of the T^2-scaled KL to the teacher", value = "0.9", min = 0, max = 1e6)
            double kdWeight,
            @Option(doc = "epochs over which the KL term's weight grows linearly to 1 (0: none; not in Hinton et al.: "
                    + "to compare with dkd at the same warm-up)", value = "0", min = 0, max = 1e6) int warmup,
            @Option(doc = "epoch: min((e + 1) / warmup, 1), constant within an epoch; step: linear in the step from "
                    + "near 0", value = "epoch") Warmup.By warmupBy,
            @Option(doc = "every N steps, log the student's top-1 on its training batch in training mode (BatchNorm "
                    + "on batch statistics) as a diagnostic (0: never)", value = "0", min = 0, max = 1 << 30)
            int diagnoseEvery,
            @Option(doc = "z-score each sample's teacher and student logits over the classes before T (Sun et al., "
                    + "CVPR 2024: (z - mean) / (unbiased std + 1e-7)); the article's CIFAR-100 runs pair it with T 2 "
                    + "and b 9 (its code's resnet32x4-resnet8x4 tag 'kd,...,2,9')", value = "false")
            boolean logitStandardization) {}

    private final Options options;

    public static void check(RunConfig cfg) {
        ConfigChecks.oneStudentOneTeacher(cfg, "kd");
    }

    public Kd(Options options, MethodSetup setup) {
        super(new Composition(List.of(new CeTerm(new CeTerm.Options(options.ceWeight())),
                new KdTerm(new KdTerm.Options(options.kdWeight(), options.temperature(), options.warmup(),
                        options.warmupBy(), options.logitStandardization())))));
        this.options = options;
    }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        boolean diagnose = options.diagnoseEvery() > 0 && ctx.step() % options.diagnoseEvery() == 0;
        Losses l = composition().step(batch, ctx, diagnose);
        if (diagnose) {
            ctx.diagnostic(ctx.trainable().get(0).name() + "/train_mode_top1", batch.top1(l.output("logits")));
        }
        return l;
    }
}
