package io.distill4j.methods.okdcr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.knowledge.Teacher;
import io.distill4j.losses.DistillLoss;
import io.distill4j.methods.Batch;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.StepContext;
import io.distill4j.models.LinearHead;
import io.distill4j.runtime.Net;
import io.distill4j.runtime.Optimizers;
import io.distill4j.util.Scalars;
import io.distill4j.util.Sums;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Method {@code okdcr}: online knowledge distillation by consistency regularisation (docs/methods.md section 4,
 * seed 003). The article's full text is not public: this is the reconstruction docs/methods.md describes, with
 * every choice a config option (see the README's config reference).
 *
 * <p>M >= 2 peers. Peer m is a feature extractor {@code F_m} with two task classifiers: {@code C_m^1} is the
 * network's own classifier, {@code C_m^2} a second linear head on the same pooled features, owned by this
 * method (named {@code <peer>.c2}, saved in checkpoints). Each image is augmented twice independently; view 1
 * feeds classifier 1 and view 2 classifier 2, both through {@code F_m} in one forward pass. Peer m minimises
 * <pre>
 *   CE(z_m^1) + CE(z_m^2)
 *   + lambda_intra * D(p_m^1, p_m^2)                                  (intra-model consistency)
 *   + lambda_inter * sum_{n != m} sum_c D(p_m^c, sg p_n^c)            (inter-model consistency)
 *   + lambda_ens * r(s) * T^2 * sum_c KL(p_ens^T || p_m^{c,T})        (ensemble distillation)
 * </pre>
 * with {@code D} the symmetric KL or the L1 distance of probabilities (batch mean), the adaptive ensemble
 * {@code p_ens = sum_m w_m (p_m^1 + p_m^2) / 2}, {@code w_m = softmax_m(-d_m / tau_w)} per sample where
 * {@code d_m = D(p_m^1, p_m^2)} on that sample (the more self-consistent peer weighs more), detached, and the
 * ramp-up {@code r(s) = min(1, rampup * s / S)}. Evaluation: each classifier ({@code <peer>.c1},
 * {@code <peer>.c2}), each peer (mean of its two heads' probabilities) and the adaptive ensemble, with both
 * heads seeing the same test image.
 */
public final class Okdcr implements Method {
    static final String HEAD1 = ".c1";
    static final String HEAD2 = ".c2";

    /** Options of {@code okdcr}. */
    public record Options(
            @Option(doc = "D of the consistency terms: symmetric KL or L1 distance of probabilities",
                    value = "symmetric_kl") Divergence divergence,
            @Option(doc = "weight of the intra-model consistency D(p_m^1, p_m^2)", value = "1", min = 0, max = 1e6)
            double lambdaIntra,
            @Option(doc = "weight of the inter-model consistency, summed over the other (detached) peers",
                    value = "1", min = 0, max = 1e6) double lambdaInter,
            @Option(doc = "weight of the ensemble distillation T^2 KL(p_ens^T || p_m^{c,T})", value = "1", min = 0,
                    max = 1e6) double lambdaEns,
            @Option(doc = "softmax temperature T of the ensemble distillation", value = "3", min = 1e-3, max = 1e3)
            double temperature,
            @Option(doc = "tau_w of the per-sample peer weights softmax(-d_m / tau_w)", value = "1", min = 1e-6,
                    max = 1e6) double weightTemperature,
            @Option(doc = "ensemble-weight ramp-up min(1, rampup * step / total_steps)", value = "1.25", min = 0,
                    max = 1e6) double rampup) {}

    /** D of the consistency terms. */
    public enum Divergence { SYMMETRIC_KL, L1 }

    private final List<String> peers;
    private final boolean l1;
    private final double lambdaIntra;
    private final double lambdaInter;
    private final double lambdaEns;
    private final double temperature;
    private final double weightTemperature;
    private final double rampup;
    private final int classes;
    private final Optimizers optimizers;
    private final List<Net> heads = new ArrayList<>();

    public static void check(RunConfig cfg) {
        ConfigChecks.distill4jNetworks(cfg, "okdcr", "two heads on each peer's features");
        ConfigChecks.networks(cfg, "okdcr", 2, Integer.MAX_VALUE, "needs at least two networks (peers)");
        List<String> names = cfg.networks().stream().map(n -> n.name()).toList();
        for (String p : names) {
            if (names.contains(p + HEAD2) || names.contains(p + HEAD1)) {
                throw ConfigChecks.error(cfg, "the network names '" + p + HEAD1 + "' and '" + p + HEAD2
                        + "' are taken by okdcr's classifiers");
            }
        }
    }

    public Okdcr(Options options, MethodSetup setup) {
        this.peers = List.copyOf(setup.networks());
        this.l1 = options.divergence() == Divergence.L1;
        this.lambdaIntra = options.lambdaIntra();
        this.lambdaInter = options.lambdaInter();
        this.lambdaEns = options.lambdaEns();
        this.temperature = options.temperature();
        this.weightTemperature = options.weightTemperature();
        this.rampup = options.rampup();
        this.classes = setup.numClasses();
        this.optimizers = setup.optimizers();
    }

    @Override
    public int views() {
        return 2;
    }

    @Override
    public void attach(NDManager manager, List<Net> trainable, List<Teacher> teachers) {
        for (Net peer : trainable) {
            NDManager hm = manager.newSubManager();
            int dim = peer.block().featureDim();
            LinearHead head = LinearHead.create("linear-" + dim + "-" + classes, dim, classes, hm);
            heads.add(optimizers.trainable(peer.name() + HEAD2, head, hm));
        }
    }

    @Override
    public List<Net> ownNetworks() {
        return heads;
    }

    /** The ramp-up of the ensemble-distillation weight, {@code min(1, rampup * s / S)}. */
    static double rampUp(double rampup, long step, long totalSteps) {
        return totalSteps <= 0 ? 1 : Math.min(1.0, rampup * step / totalSteps);
    }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        List<Net> nets = ctx.trainable();
        int n = batch.size();
        NDArray x = NDArrays.concat(new NDList(batch.view(0), batch.view(1)));
        double ramp = rampUp(rampup, ctx.step(), ctx.totalSteps());
        return ctx.update(() -> {
            List<NDArray> z1 = new ArrayList<>();
            List<NDArray> z2 = new ArrayList<>();
            for (int m = 0; m < nets.size(); m++) {
                NDList out = nets.get(m).forward(x, true);
                z1.add(out.get(0).get("0:" + n));
                z2.add(heads.get(m).logits(out.get(1).get(n + ":"), true));
            }
            return losses(z1, z2, batch::crossEntropy, ramp);
        });
    }

    /** Every peer's loss terms for the two heads' logits {@code z1.get(m)}, {@code z2.get(m)}. */
    Losses losses(List<NDArray> z1, List<NDArray> z2, Function<NDArray, NDArray> ce, double ramp) {
        int count = z1.size();
        NDArray ensemble = ensemble(z1, z2, ensembleWeights(z1, z2), temperature);
        Losses l = new Losses();
        for (int m = 0; m < count; m++) {
            String c1 = peers.get(m);
            String c2 = peers.get(m) + HEAD2;
            l.add(c1, "ce", ce.apply(z1.get(m)));
            l.add(c2, "ce", ce.apply(z2.get(m)));
            if (lambdaIntra > 0) {
                l.add(c1, "intra", Scalars.mul(divergence(z1.get(m), z2.get(m)).mean(), (float) lambdaIntra));
            }
            if (lambdaInter > 0) {
                NDArray inter1 = null;
                NDArray inter2 = null;
                for (int o = 0; o < count; o++) {
                    if (o != m) {
                        NDArray d1 = divergence(z1.get(m), z1.get(o).stopGradient()).mean();
                        NDArray d2 = divergence(z2.get(m), z2.get(o).stopGradient()).mean();
                        inter1 = Sums.plus(inter1, d1);
                        inter2 = Sums.plus(inter2, d2);
                    }
                }
                l.add(c1, "inter", Scalars.mul(inter1, (float) lambdaInter));
                l.add(c2, "inter", Scalars.mul(inter2, (float) lambdaInter));
            }
            if (lambdaEns > 0) {
                float w = (float) (lambdaEns * ramp);
                l.add(c1, "ens", Scalars.mul(DistillLoss.klToProbs(ensemble, z1.get(m), temperature), w));
                l.add(c2, "ens", Scalars.mul(DistillLoss.klToProbs(ensemble, z2.get(m), temperature), w));
            }
        }
        return l;
    }

    /** The consistency divergence per sample (shape N); gradient flows into both sides unless detached. */
    NDArray divergence(NDArray a, NDArray b) {
        return l1 ? DistillLoss.l1PerSample(a, b) : DistillLoss.symmetricKlPerSample(a, b);
    }

    /** Per-sample peer weights (N, M), detached: {@code softmax_m(-D(p_m^1, p_m^2) / tau_w)}; rows sum to 1. */
    NDArray ensembleWeights(List<NDArray> z1, List<NDArray> z2) {
        NDList d = new NDList();
        for (int m = 0; m < z1.size(); m++) {
            d.add(divergence(z1.get(m).stopGradient(), z2.get(m).stopGradient()));
        }
        return Scalars.mul(NDArrays.stack(d, 1), (float) (-1 / weightTemperature)).softmax(1);
    }

    /** {@code sum_m w_m (softmax(z_m^1 / T) + softmax(z_m^2 / T)) / 2}, detached, shape (N, classes). */
    static NDArray ensemble(List<NDArray> z1, List<NDArray> z2, NDArray weights, double temperature) {
        float invT = (float) (1 / temperature);
        NDArray sum = null;
        for (int m = 0; m < z1.size(); m++) {
            NDArray p = Scalars.mul(Scalars.mul(z1.get(m).stopGradient(), invT).softmax(1)
                    .add(Scalars.mul(z2.get(m).stopGradient(), invT).softmax(1)), 0.5f);
            NDArray term = p.mul(weights.get(":, " + m + ":" + (m + 1)));
            sum = Sums.plus(sum, term);
        }
        return sum;
    }

    @Override
    public Map<String, NDArray> evaluate(NDArray images, List<Net> trainable) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        List<NDArray> z1 = new ArrayList<>();
        List<NDArray> z2 = new ArrayList<>();
        for (int m = 0; m < trainable.size(); m++) {
            NDList o = trainable.get(m).forward(images, false);
            z1.add(o.get(0));
            z2.add(heads.get(m).logits(o.get(1), false));
        }
        for (int m = 0; m < trainable.size(); m++) {
            String name = trainable.get(m).name();
            NDArray p1 = z1.get(m).softmax(1);
            NDArray p2 = z2.get(m).softmax(1);
            out.put(name, Scalars.mul(p1.add(p2), 0.5f));
            out.put(name + HEAD1, p1);
            out.put(name + HEAD2, p2);
        }
        out.put("ensemble", ensemble(z1, z2, ensembleWeights(z1, z2), 1.0));
        return out;
    }
}
