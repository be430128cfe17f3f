package io.distill4j.methods.dkd;

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
import io.distill4j.methods.terms.DkdTerm;

import java.util.List;

/**
 * Method {@code dkd}: Zhao et al.'s decoupled knowledge distillation (CVPR 2022; docs/methods.md section 9) from
 * one frozen teacher, the composition of the terms {@code ce} and {@code dkd} ({@link CeTerm}, {@link DkdTerm}): {@code ce_weight * CE + w(e) * (alpha * TCKD + beta * NCKD)}, where TCKD is the KL between
 * the teacher's and the student's binary (target class, the others) distributions, NCKD the KL between their
 * distributions among the non-target classes, both at temperature T and times T^2, and {@code w} the warm-up
 * weight ({@link Warmup}): by epoch the reference's {@code min((e + 1) / warmup, 1)} of 0-based epoch e (the
 * reference counts epochs from 1), by step this project's linear reading. Defaults are mdistiller's CIFAR-100 ones:
 * alpha 1, beta 8, T 4, warm-up 20 epochs by epoch. With {@code logit_standardization} both sides' logits are
 * z-scored per sample ({@link LogitLosses#standardize}, Sun et al. 2024; docs/methods.md section 13) first.
 */
public final class Dkd extends ComposedMethod {
    /** Options of {@code dkd}. */
    public record Options(
            @Option(doc = "weight of the cross-entropy on the hard labels", value = "1", min = 0, max = 1e6)
            double ceWeight,
            @Option(doc = "weight alpha of TCKD, the target-class KL", value = "1", min = 0, max = 1e6)
            double alpha,
            @Option(doc = "weight beta of NCKD, the non-target-class KL", value = "8", min = 0, max = 1e6)
            double beta,
            @Option(doc = "softmax temperature T of both sides", value = "4", min = 1e-3, max = 1e3)
            double temperature,
            @Option(doc = "epochs over which the weight of the DKD terms grows linearly to 1 (0: none)", value = "20",
                    min = 0, max = 1e6) int warmup,
            @Option(doc = "epoch: the reference's weight min((e + 1) / warmup, 1), constant within an epoch; step: "
                    + "this project's reading, linear in the step from near 0", value = "epoch") Warmup.By warmupBy,
            @Option(doc = "every N steps, log the student's top-1 on its training batch in training mode (BatchNorm "
                    + "on batch statistics) as a diagnostic (0: never)", value = "0", min = 0, max = 1 << 30)
            int diagnoseEvery,
            @Option(doc = "z-score each sample's teacher and student logits over the classes before T (Sun et al., "
                    + "CVPR 2024: (z - mean) / (unbiased std + 1e-7)); the article's code applies it to DKD as to KD, "
                    + "with a base temperature of 2 in its CIFAR-100 runs", value = "false")
            boolean logitStandardization) {}

    private final Options options;
    private final DkdTerm dkd;

    public static void check(RunConfig cfg) {
        ConfigChecks.oneStudentOneTeacher(cfg, "dkd");
    }

    public Dkd(Options options, MethodSetup setup) {
        super(new Composition(List.of(new CeTerm(new CeTerm.Options(options.ceWeight())),
                new DkdTerm(new DkdTerm.Options(1, options.alpha(), options.beta(), options.temperature(),
                        options.warmup(), options.warmupBy(), options.logitStandardization())))));
        this.options = options;
        this.dkd = (DkdTerm) composition().terms().get(1);
    }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        boolean diagnose = options.diagnoseEvery() > 0 && ctx.step() % options.diagnoseEvery() == 0;
        Losses l = composition().step(batch, ctx, diagnose);
        if (diagnose) {
            String name = ctx.trainable().get(0).name();
            ctx.diagnostic(name + "/train_mode_top1", batch.top1(l.output("logits")));
            ctx.diagnostic(name + "/dkd_weight", (float) dkd.warmupWeight(ctx));
        }
        return l;
    }
}
