package io.distill4j.methods.dist;

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
import io.distill4j.methods.terms.DistTerm;

import java.util.List;

/**
 * Method {@code dist}: Huang et al.'s DIST, "Knowledge Distillation from A Stronger Teacher" (NeurIPS 2022;
 * docs/methods.md section 14), from one frozen teacher: {@code ce_weight * CE + beta * T^2 * inter + gamma * T^2 *
 * intra}, where with {@code p = softmax(z / T)} of either side, inter is 1 minus the mean over samples of the
 * Pearson correlation of a sample's student and teacher probabilities, intra 1 minus the mean over classes of the
 * correlation of a class's probabilities across the batch ({@link LogitLosses#dist}). Defaults: the reference
 * code's {@code DIST(beta=1.0, gamma=1.0, tau=1.0)} with the cross-entropy at weight 1.
 * The composition of the terms {@code ce} and {@code dist} (docs/methods.md section 19).
 */
public final class Dist extends ComposedMethod {
    /** Options of {@code dist}. */
    public record Options(
            @Option(doc = "weight of the cross-entropy on the hard labels (1: the reference's classification loss "
                    + "beside DIST)", value = "1", min = 0, max = 1e6) double ceWeight,
            @Option(doc = "weight beta of the inter-class term, 1 - mean over samples of pearson(p_s[i], p_t[i]) "
                    + "(reference code's default beta=1.0)", value = "1", min = 0, max = 1e6) double beta,
            @Option(doc = "weight gamma of the intra-class term, 1 - mean over classes of the correlation across the "
                    + "batch (reference code's default gamma=1.0)", value = "1", min = 0, max = 1e6) double gamma,
            @Option(doc = "softmax temperature T of both sides, terms times T^2 (reference code's default tau=1.0, "
                    + "the article's ImageNet setting; the TTM repository's CIFAR-100 runs use 4)", value = "1",
                    min = 1e-3, max = 1e3) double temperature) {}


    public static void check(RunConfig cfg) {
        ConfigChecks.oneStudentOneTeacher(cfg, "dist");
    }

    public Dist(Options options, MethodSetup setup) {
        super(new Composition(List.of(new CeTerm(new CeTerm.Options(options.ceWeight())),
                new DistTerm(new DistTerm.Options(1, options.beta(), options.gamma(), options.temperature())))));
    }
}
