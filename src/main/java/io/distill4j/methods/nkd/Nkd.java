package io.distill4j.methods.nkd;

import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.losses.LogitLosses;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.terms.CeTerm;
import io.distill4j.methods.terms.ComposedMethod;
import io.distill4j.methods.terms.Composition;
import io.distill4j.methods.terms.NkdTerm;

import java.util.List;

/**
 * Method {@code nkd}: Yang et al.'s normalised KD loss, "From Knowledge Distillation to Self-Knowledge Distillation:
 * A Unified Approach with Normalized Loss and Customized Soft Labels" (ICCV 2023; docs/methods.md section 15), from
 * one frozen teacher: {@code ce_weight * CE + target + gamma * T^2 * nonTarget}, the target term
 * {@code -(1/N) sum_i t_y log s_y} at temperature 1 and the non-target term the soft cross-entropy between the
 * teacher's and the student's distributions among the non-target classes at T ({@link LogitLosses#nkd}).
 * Defaults: the official code's {@code NKDLoss(temp=1.0, gamma=1.5)} (cls_KD's ImageNet configs), beside the
 * student's own cross-entropy at weight 1.
 * The composition of the terms {@code nkd} and {@code ce}, in that order (docs/methods.md section 19).
 */
public final class Nkd extends ComposedMethod {
    /** Options of {@code nkd}. */
    public record Options(
            @Option(doc = "weight of the cross-entropy on the hard labels (1: cls_KD keeps the student's own loss "
                    + "beside NKD)", value = "1", min = 0, max = 1e6) double ceWeight,
            @Option(doc = "weight of the target term -t_y log s_y (1 in the article's eq. and code)", value = "1",
                    min = 0, max = 1e6) double targetWeight,
            @Option(doc = "weight gamma of the T^2-scaled non-target soft cross-entropy (cls_KD NKDLoss gamma=1.5)",
                    value = "1.5", min = 0, max = 1e6) double gamma,
            @Option(doc = "temperature T of the non-target distributions (cls_KD NKDLoss temp=1.0); the target term "
                    + "is at temperature 1", value = "1", min = 1e-3, max = 1e3) double temperature) {}


    public static void check(RunConfig cfg) {
        ConfigChecks.oneStudentOneTeacher(cfg, "nkd");
    }

    public Nkd(Options options, MethodSetup setup) {
        // the NKD terms before the cross-entropy, as this method's step computed them before it was a composition:
        // the order autograd sums the two branches' gradients into the logits follows it, and NKD's runs (unlike
        // kd's, dkd's, dist's...) differ in the last bits with the other order
        super(new Composition(List.of(
                new NkdTerm(new NkdTerm.Options(1, options.targetWeight(), options.gamma(), options.temperature())),
                new CeTerm(new CeTerm.Options(options.ceWeight())))));
    }
}
