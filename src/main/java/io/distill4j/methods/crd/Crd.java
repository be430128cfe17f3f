package io.distill4j.methods.crd;

import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.terms.CeTerm;
import io.distill4j.methods.terms.ComposedMethod;
import io.distill4j.methods.terms.Composition;
import io.distill4j.methods.terms.ContrastMemory;
import io.distill4j.methods.terms.CrdTerm;
import io.distill4j.methods.terms.FeatureStages;

import java.util.List;

/**
 * Method {@code crd}: Tian et al.'s contrastive representation distillation (ICLR 2020; docs/methods.md section
 * 12) from one frozen distill4j teacher, the composition of the terms {@code ce} and {@code crd} ({@link CeTerm},
 * {@link CrdTerm}): {@code ce_weight * CE + crd_weight * (NCE_s + NCE_t)}. Two trainable
 * embedding heads (linear, then L2 norm) map the student's and the teacher's pooled features to {@code feat_dim}.
 * A memory ({@link ContrastMemory}) holds one embedding per training sample of each side. For each sample, its own
 * row and {@code nce_k} rows of samples of other classes give scores {@code exp(v . m / T) / Z}: the student's
 * embedding against the teacher's memory (NCE_s) and the teacher's embedding against the student's memory (NCE_t),
 * each scored by CRD's NCE loss with a uniform noise distribution. After the update the batch's rows of the memory
 * move toward the batch's embeddings with {@code momentum}. Defaults are the article's: 16,384 negatives, T 0.07,
 * momentum 0.5, 128 dimensions, weight 0.8.
 */
public final class Crd extends ComposedMethod {
    /** Options of {@code crd}. */
    public record Options(
            @Option(doc = "dimension of the embeddings", value = "128", min = 1, max = 65536) int featDim,
            @Option(doc = "negatives per sample, drawn from other classes without replacement", value = "16384",
                    min = 1, max = 1e9) int nceK,
            @Option(doc = "temperature T of the scores exp(v . m / T)", value = "0.07", min = 1e-4, max = 1e3)
            double nceT,
            @Option(doc = "momentum of the memory's update", value = "0.5", min = 0, max = 1) double momentum,
            @Option(doc = "weight of the cross-entropy on the hard labels", value = "1", min = 0, max = 1e6)
            double ceWeight,
            @Option(doc = "weight of the two NCE losses", value = "0.8", min = 0, max = 1e6) double crdWeight) {}


    public static void check(RunConfig cfg) {
        ConfigChecks.distill4jNetworks(cfg, "crd", "the student's pooled features");
        ConfigChecks.oneStudentOneTeacher(cfg, "crd");
        if (cfg.networks().stream().anyMatch(n -> n.name().startsWith("crd_embed_"))) {
            throw ConfigChecks.error(cfg, "the network names crd_embed_* are taken by crd");
        }
    }

    public Crd(Options options, MethodSetup setup) {
        super(new Composition(List.of(new CeTerm(new CeTerm.Options(options.ceWeight())),
                new CrdTerm(new CrdTerm.Options(options.crdWeight(), options.featDim(), options.nceK(),
                        options.nceT(), options.momentum()), FeatureStages.section(setup, "crd")::error,
                        setup.optimizers(), setup.trainLabels(), setup.numClasses(), setup.run().seed()))));
    }
}
