package io.distill4j.methods.at;

import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.terms.AtTerm;
import io.distill4j.methods.terms.CeTerm;
import io.distill4j.methods.terms.ComposedMethod;
import io.distill4j.methods.terms.Composition;
import io.distill4j.methods.terms.FeatureStages;

import java.util.List;

/**
 * Method {@code at}: Zagoruyko and Komodakis's attention transfer (ICLR 2017; docs/methods.md section 11) from one
 * frozen distill4j teacher, the composition of the terms {@code ce} and {@code at} ({@link CeTerm}, {@link AtTerm}):
 * {@code ce_weight * CE + weight * sum over stages of mean((Q_s - Q_t)^2)}, where the
 * attention map Q of a stage's feature map is the mean over channels of {@code |f|^p}, flattened and divided by its
 * L2 norm, and the mean runs over the batch and the positions. The student's stage i is paired with the teacher's
 * stage i; a map of higher resolution is average-pooled to the other's first. Defaults as mdistiller's: p 2, weight
 * 1000, the three stages of the CIFAR ResNets.
 */
public final class At extends ComposedMethod {
    /** Options of {@code at}. */
    public record Options(
            @Option(doc = "the student's stages whose attention maps are matched, comma-separated (distill4j methods "
                    + "--stages)", value = "stage1,stage2,stage3") String stages,
            @Option(doc = "the teacher's stages paired with them in order (empty: the same names)", value = "")
            String teacherStages,
            @Option(doc = "exponent p of the attention map mean_c |f|^p", value = "2", min = 1, max = 8) double p,
            @Option(doc = "weight of the cross-entropy on the hard labels", value = "1", min = 0, max = 1e6)
            double ceWeight,
            @Option(doc = "weight of the summed attention losses (the article's beta/2 with beta 1000 is 500)",
                    value = "1000", min = 0, max = 1e9) double weight) {}


    public static void check(RunConfig cfg) {
        ConfigChecks.distill4jNetworks(cfg, "at", "the student's stage maps");
        ConfigChecks.oneStudentOneTeacher(cfg, "at");
    }

    public At(Options options, MethodSetup setup) {
        super(new Composition(List.of(new CeTerm(new CeTerm.Options(options.ceWeight())),
                new AtTerm(new AtTerm.Options(options.weight(), options.stages(), options.teacherStages(),
                        options.p()), FeatureStages.section(setup, "at")::error))));
    }
}
