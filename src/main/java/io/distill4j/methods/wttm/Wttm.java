package io.distill4j.methods.wttm;

import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.knowledge.Teacher;
import io.distill4j.losses.LogitLosses;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.terms.CeTerm;
import io.distill4j.methods.terms.ComposedMethod;
import io.distill4j.methods.terms.Composition;
import io.distill4j.methods.terms.WttmTerm;

import java.util.List;

/**
 * Method {@code wttm}: Zheng and Yang's weighted transformed teacher matching, "Knowledge Distillation Based on
 * Transformed Teacher Matching" (ICLR 2024; docs/methods.md section 16), from one frozen teacher:
 * {@code ce_weight * CE + beta * (1/N) sum_i U_i KL(softmax(z_t / T) || softmax(z_s))}, the student at
 * temperature 1, each sample weighted by the teacher's power sum {@code U = sum_c p_t,c^(1/T)}
 * ({@link LogitLosses#wttm}). Defaults: the official repository's README example of WTTM ({@code --ttm_l 0.2},
 * that is T = 1 / 0.2 = 5, weight {@code -a 4}), cross-entropy weight {@code -r 1}.
 * The composition of the terms {@code ce} and {@code wttm} (docs/methods.md section 19).
 */
public final class Wttm extends ComposedMethod {
    /** Options of {@code wttm}. */
    public record Options(
            @Option(doc = "weight of the cross-entropy on the hard labels (the reference's -r, default 1)",
                    value = "1", min = 0, max = 1e6) double ceWeight,
            @Option(doc = "weight beta of the U-weighted KL (the official README's WTTM example: -a 4)", value = "4",
                    min = 0, max = 1e6) double beta,
            @Option(doc = "T of the teacher's transform p_t^(1/T), i.e. 1 / the reference's --ttm_l (README "
                    + "example --ttm_l 0.2: T 5); the student stays at temperature 1", value = "5", min = 1e-3,
                    max = 1e3) double temperature) {}


    public static void check(RunConfig cfg) {
        ConfigChecks.oneStudentOneTeacher(cfg, "wttm");
    }

    public Wttm(Options options, MethodSetup setup) {
        super(new Composition(List.of(new CeTerm(new CeTerm.Options(options.ceWeight())),
                new WttmTerm(new WttmTerm.Options(options.beta(), options.temperature())))));
    }
}
