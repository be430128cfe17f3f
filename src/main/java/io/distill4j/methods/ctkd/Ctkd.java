package io.distill4j.methods.ctkd;

import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.CurriculumTemperature;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.Warmup;
import io.distill4j.methods.terms.CeTerm;
import io.distill4j.methods.terms.ComposedMethod;
import io.distill4j.methods.terms.Composition;
import io.distill4j.methods.terms.CtkdTerm;

import java.util.List;

/**
 * Method {@code ctkd}: Li et al.'s "Curriculum Temperature for Knowledge Distillation" (AAAI 2023; docs/methods.md
 * section 18) on Hinton's KD, the article's headline configuration: {@code a * CE + b * T^2 * KL(p_t^T || p_s^T)}
 * with T learned by {@link CurriculumTemperature} (reversed gradient, cosine curriculum of its strength). Defaults
 * from the official code's CIFAR-100 script ({@code -r 0.1 -a 0.9}, {@code --t_start 1 --t_end 20},
 * {@code --decay_max 0 --decay_min -1 --decay_loops 10}, theta initialised to 1, so T starts at 15.6). The
 * temperature is logged as the diagnostic {@code temperature} every {@code train.log_every} steps. With
 * {@code logit_standardization} both sides' logits are z-scored first (docs/methods.md section 13). The composition
 * of the terms {@code ce} and {@code ctkd} ({@link CeTerm}, {@link CtkdTerm}); the term plugs CTKD into any
 * {@code compose}.
 */
public final class Ctkd extends ComposedMethod {
    /** Options of {@code ctkd}. */
    public record Options(
            @Option(doc = "weight a of the cross-entropy on the hard labels (the code's -r 0.1)", value = "0.1",
                    min = 0, max = 1e6) double ceWeight,
            @Option(doc = "weight b of the T^2-scaled KL at the learned T (the code's -a 0.9)", value = "0.9",
                    min = 0, max = 1e6) double kdWeight,
            @Option(doc = "T = t_start + t_end * sigmoid(theta): the lowest temperature (--t_start 1)", value = "1",
                    min = 1e-3, max = 1e3) double tStart,
            @Option(doc = "the temperature's range above t_start (--t_end 20)", value = "20", min = 0, max = 1e3)
            double tEnd,
            @Option(doc = "theta's initial value (the code's torch.ones(1): T starts at 15.6)", value = "1",
                    min = -1e3, max = 1e3) double init,
            @Option(doc = "the reversal's full strength lambda (the code's decay_min -1 as a gradient factor)",
                    value = "1", min = 0, max = 1e3) double lambdaMax,
            @Option(doc = "epochs over which lambda rises from 0 by a half cosine (--decay_loops 10; 0: full from the "
                    + "start)", value = "10", min = 0, max = 1e6) int curriculumEpochs,
            @Option(doc = "epoch: the code's value at the 1-based epoch, constant within it; step: the same curve "
                    + "by step", value = "epoch") Warmup.By curriculumBy,
            @Option(doc = "z-score each sample's teacher and student logits over the classes before T (docs/methods.md "
                    + "section 13)", value = "false") boolean logitStandardization) {}

    public static void check(RunConfig cfg) {
        ConfigChecks.oneStudentOneTeacher(cfg, "ctkd");
        CtkdTerm.check(cfg);
    }

    public Ctkd(Options options, MethodSetup setup) {
        super(new Composition(List.of(new CeTerm(new CeTerm.Options(options.ceWeight())),
                new CtkdTerm(new CtkdTerm.Options(options.kdWeight(), options.tStart(), options.tEnd(), options.init(),
                        options.lambdaMax(), options.curriculumEpochs(), options.curriculumBy(),
                        options.logitStandardization()), setup.optimizers(), setup.run().train().logEvery()))));
    }
}
