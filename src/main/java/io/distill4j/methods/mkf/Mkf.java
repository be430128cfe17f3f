package io.distill4j.methods.mkf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.data.HostBatch;
import io.distill4j.knowledge.Teacher;
import io.distill4j.losses.DistillLoss;
import io.distill4j.methods.Batch;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.StepContext;
import io.distill4j.models.SubNetwork;
import io.distill4j.runtime.Net;
import io.distill4j.runtime.Stateful;
import io.distill4j.util.HostArrays;
import io.distill4j.util.Scalars;
import io.distill4j.util.Seeds;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Method {@code mkf}: enhanced residual networks via mixed knowledge fraction (docs/methods.md section 6, seed 001).
 *
 * <p>Steps run in cycles of T groups: the first step of a cycle trains the whole network (group 1), step t
 * trains {@code D_t = Phi(D_{t-1})}, a sub-network sampled from the previous step's ({@link InheritedSampler};
 * stateless: a step's sub-network is replayed from its cycle's generators, so nothing about it needs saving).
 * The sub-network of group t minimises the (mixed-label) cross-entropy plus
 * {@code beta * T^2 * KL(K_hat^{t-1} || softmax(z / T))}, where {@code K_hat^{t-1}} is the group t-1 knowledge of
 * the sample's image, for a mixed batch {@code lam K_a + (1 - lam) K_b} over both images (samples whose
 * knowledge was never observed are left out of the term); group 1 has CE only. After the update, the output
 * {@code softmax(z / T)} updates group t's {@link GroupKnowledge} (EMA, a 0.5): directly for an unmixed batch,
 * through the knowledge fraction ({@link KnowledgeFraction}: {@code none}, {@code linear} = the article's OPT2,
 * {@code exact} = its OPT1) for a mixed one, where a side with no knowledge yet takes the mixed output as its
 * prior. Use it with {@code data.mix: compound} (the article's data mixing). The ablations of the article's
 * table 4: {@code fraction: none} (no fraction), {@code data.mix: none} (no compound mix),
 * {@code group_distillation: false}.
 */
public final class Mkf implements Method {
    /** Options of {@code mkf}. */
    public record Options(
            @Option(doc = "groups T of decreasing size per cycle (group 1 the whole network)", value = "3", min = 1,
                    max = 64) int groups,
            @Option(doc = "largest per-block drop probability q_max of the inherited sampling", value = "0.5",
                    min = 0, max = 1) double qMax,
            @Option(doc = "growth k of the drop probability with depth, q_l = q_max exp(k (l/L - 1))", value = "3",
                    min = 0, max = 100) double k,
            @Option(doc = "EMA weight a of a new observation in the group knowledge", value = "0.5", min = 1e-6,
                    max = 1) double alpha,
            @Option(doc = "weight beta of the KL to the previous group's knowledge (the article: 2 on CIFAR)",
                    value = "2", min = 0, max = 1e6) double beta,
            @Option(doc = "softmax temperature T of the knowledge and the KL (times T^2); the article has none (1)",
                    value = "1", min = 1e-3,
                    max = 1e3) double temperature,
            @Option(doc = "how a mixed output updates both images' knowledge: exact (OPT1), linear (OPT2), none",
                    value = "exact") KnowledgeFraction.Mode fraction,
            @Option(doc = "a side whose lambda is below this floor is not updated (linear, exact)", value = "0.05",
                    min = 0, max = 0.5) double lambdaFloor,
            @Option(doc = "distil each group from the previous group's knowledge (false: the ablation)",
                    value = "true") boolean groupDistillation,
            @Option(doc = "knowledge store: dense (one vector per sample and group) or topk (k largest + rest)",
                    value = "dense") GroupKnowledge.Mode store,
            @Option(doc = "classes kept per entry by the topk store", value = "10", min = 1, max = 100000)
            int topK,
            @Option(doc = "store knowledge values in 16-bit floats", value = "false") boolean half,
            @Option(doc = "cycle: a cycle of T steps, the whole network in its first, group t's sub-network in step t"
                    + " (the whole network trains one step in T); every_step: every step trains the whole network "
                    + "and one sub-network, of groups 2..T in turn (gradients summed, as Stimulative Training). The "
                    + "article says neither", value = "cycle") Schedule schedule,
            @Option(doc = "log knowledge_age_epochs: how old (in epochs) the knowledge a step distils from is",
                    value = "false") boolean logKnowledgeAge,
            @Option(doc = "every this many steps (0: never), on a mixed batch, also forward the unmixed images and "
                    + "log the true fraction loss of none, linear, exact and a random response", value = "0",
                    min = 0, max = 1 << 30) int diagnoseEvery) {}

    /** When the whole network trains (the article says neither): one step in T, or every step beside a sub-network. */
    public enum Schedule { CYCLE, EVERY_STEP }

    private final Options options;
    private final int classes;
    private final long seed;
    private final GroupKnowledge knowledge;
    private final KnowledgeAge age;
    private InheritedSampler sampler;

    public static void check(RunConfig cfg) {
        ConfigChecks.oneResidualNetwork(cfg, "mkf");
    }

    public Mkf(Options options, MethodSetup setup) {
        this.options = options;
        this.classes = setup.numClasses();
        this.seed = setup.run().seed();
        this.knowledge = new GroupKnowledge("mkf/knowledge", setup.trainSize(), classes, options.groups(),
                options.store(),
                Math.min(options.topK(), classes), options.half(), options.alpha());
        this.age = options.logKnowledgeAge() ? new KnowledgeAge("mkf/knowledge_age", options.groups(),
                setup.trainSize()) : null;
    }

    /** The knowledge store (its size: {@link GroupKnowledge#bytes()}). */
    public GroupKnowledge knowledge() { return knowledge; }

    @Override
    public List<Stateful> state() {
        return age == null ? List.of(knowledge) : List.of(knowledge, age);
    }

    @Override
    public List<String> notes() {
        return List.of(String.format(Locale.ROOT, "group knowledge: %s, %.1f MB", knowledge.describe(),
                knowledge.bytes() / 1e6));
    }

    @Override
    public void attach(NDManager manager, List<Net> trainable, List<Teacher> teachers) {
        sampler = new InheritedSampler(trainable.get(0).block(), options.groups(), options.qMax(), options.k());
    }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        Net net = ctx.trainable().get(0);
        long step = ctx.step();
        boolean everyStep = options.schedule() == Schedule.EVERY_STEP;
        // cycle: this step's group and sub-network; every_step: the sub-network trained beside the whole one
        long sampled = everyStep ? subNetworkStep(step) : step;
        int group = sampled < 0 ? 0 : sampler.group(sampled) - 1;
        SubNetwork sub = sampled < 0 ? SubNetwork.whole(sampler.size())
                : sampler.at(sampled, s -> Seeds.rng(seed, "mkf-sample", s));
        HostBatch host = batch.host();
        float t = (float) options.temperature();
        if (options.diagnoseEvery() > 0 && step % options.diagnoseEvery() == 0 && host.mixed()) {
            diagnose(ctx, net, sub, batch, group);
        }
        Target target = group > 0 ? target(group - 1, batch, ctx) : null;
        Losses losses = ctx.update(() -> {
            Losses l = new Losses();
            if (everyStep) { // the whole network with CE, then the sub-network below
                NDArray full = net.logits(batch.images(), true);
                l.add(net.name(), "ce", batch.crossEntropy(full));
                l.keep("full_probs", Scalars.div(full, t).softmax(1));
                if (group == 0) {
                    return l;
                }
            }
            try (Net.SubNetworkScope s = net.use(sub)) {
                NDArray z = net.logits(batch.images(), true);
                l.add(net.name(), everyStep ? "sub_ce" : "ce", batch.crossEntropy(z));
                NDArray logP = Scalars.div(z, t).logSoftmax(1);
                if (target != null) { // KL(K_hat || p^T) over the samples whose knowledge exists, times T^2
                    NDArray kl = DistillLoss.maskedMean(DistillLoss.klFromProbsPerSample(target.probs(), logP),
                            target.observed());
                    l.add(net.name(), "group_kl", Scalars.mul(kl, (float) (options.beta() * t * t)));
                }
                return l.keep("probs", logP.exp());
            }
        });
        if (everyStep) {
            update(0, host, losses.output("full_probs").toFloatArray(), step);
        }
        if (!everyStep || group > 0) {
            update(group, host, losses.output("probs").toFloatArray(), step);
        }
        return losses;
    }

    /**
     * {@code every_step}: the cycle step whose sub-network step {@code step} trains beside the whole network.
     * Step s takes group {@code 2 + s mod (T - 1)}; its sub-network is the inherited sample of that position of
     * cycle {@code s / (T - 1)} (so groups 2..T nest as in {@code cycle}). -1 when T is 1 (no sub-network).
     */
    private long subNetworkStep(long step) {
        int subGroups = options.groups() - 1;
        if (subGroups == 0) {
            return -1;
        }
        return (step / subGroups) * options.groups() + (step % subGroups) + 1;
    }

    /** The knowledge a step distils from: group {@code g}'s of each sample (mixed: of both images). */
    private record Target(NDArray probs, boolean[] observed) {}

    /**
     * Group {@code g}'s knowledge of this batch's samples, {@code lam K_a + (1 - lam) K_b} for a mixed batch,
     * with a 0/1 weight per sample (only samples whose knowledge, both images' when mixed, was observed); null
     * when group distillation is off or no sample has knowledge yet.
     */
    private Target target(int g, Batch batch, StepContext ctx) {
        if (!options.groupDistillation() || options.beta() <= 0) {
            return null;
        }
        HostBatch host = batch.host();
        int n = batch.size();
        float[] kHat = new float[n * classes];
        boolean[] ok = new boolean[n];
        knowledge.lookup(g, batch.indices(), kHat, ok);
        float lam = host.mixed() ? host.lambda() : 1f;
        if (host.mixed()) {
            float[] kb = new float[n * classes];
            boolean[] okB = new boolean[n];
            knowledge.lookup(g, host.mix().partnerIndices(), kb, okB);
            for (int i = 0; i < kHat.length; i++) {
                kHat[i] = lam * kHat[i] + (1 - lam) * kb[i];
            }
            for (int i = 0; i < n; i++) {
                ok[i] &= okB[i];
            }
        }
        int observed = 0;
        for (boolean b : ok) {
            observed += b ? 1 : 0;
        }
        if (observed == 0) {
            return null;
        }
        if (age != null) {
            ctx.diagnostic("knowledge_age_epochs", age.meanAge(g, batch.indices(),
                    host.mixed() ? host.mix().partnerIndices() : null, lam, ok, ctx.step()) / ctx.stepsPerEpoch());
        }
        NDManager m = batch.manager();
        return new Target(HostArrays.floats(m, kHat, new Shape(n, classes)), ok);
    }

    /**
     * The article's Fig. 5: how far each fraction's split of a mixed output is from the network's outputs on the
     * two images alone, {@code lam ||p_a - p_a_true||^2 + (1 - lam) ||p_b - p_b_true||^2} averaged over the batch,
     * for {@code none}, {@code linear}, {@code exact} and a random response (two Dirichlet(1) vectors). All three
     * outputs are computed in inference mode with this step's sub-network, before its update (no effect on the
     * run). Logged as {@code fraction_loss/<mode>} diagnostics.
     */
    private void diagnose(StepContext ctx, Net net, SubNetwork sub, Batch batch, int group) {
        HostBatch host = batch.host();
        int n = batch.size();
        float t = (float) options.temperature();
        float[] mixed;
        float[] alone;
        float[] partnersAlone; // the partner images alone: this batch's (a permutation) or the second batch's
        try (Net.SubNetworkScope s = net.use(sub)) {
            mixed = Scalars.div(net.logits(batch.images(), false), t).softmax(1).toFloatArray();
            NDArray x = host.unmixedView(batch.manager(), 0);
            alone = Scalars.div(net.logits(x, false), t).softmax(1).toFloatArray();
            partnersAlone = host.mix().withinBatch() ? alone : Scalars.div(
                    net.logits(host.partnerView(batch.manager(), 0), false), t).softmax(1).toFloatArray();
        }
        int[] pos = host.mix().partnerPositions();
        float[][] k = bothImages(group, host, mixed);
        double lam = host.lambda();
        for (KnowledgeFraction.Mode mode : KnowledgeFraction.Mode.values()) {
            KnowledgeFraction.BatchFraction f = KnowledgeFraction.batch(mode, mixed, k[0], k[1], lam, classes,
                    options.lambdaFloor());
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += KnowledgeFraction.fractionLoss(lam, row(f.pA(), i), row(f.pB(), i), row(alone, i),
                        row(partnersAlone, pos[i]));
            }
            ctx.diagnostic("fraction_loss/" + mode.configName(), sum / n);
        }
        SplittableRandom rng = ctx.rng("mkf-diagnose");
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += KnowledgeFraction.fractionLoss(lam, dirichlet(rng), dirichlet(rng), row(alone, i),
                    row(partnersAlone, pos[i]));
        }
        ctx.diagnostic("fraction_loss/random", sum / n);
    }

    private double[] row(float[] a, int i) {
        double[] r = new double[classes];
        for (int c = 0; c < classes; c++) {
            r[c] = a[i * classes + c];
        }
        return r;
    }

    private double[] dirichlet(SplittableRandom rng) {
        double[] r = new double[classes];
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            r[c] = -Math.log(1 - rng.nextDouble());
            sum += r[c];
        }
        for (int c = 0; c < classes; c++) {
            r[c] /= sum;
        }
        return r;
    }

    /** Group {@code group}'s knowledge from this step's outputs, through the knowledge fraction when mixed. */
    private void update(int group, HostBatch host, float[] probs, long step) {
        int[] a = host.indices();
        if (!host.mixed()) {
            for (int i = 0; i < a.length; i++) {
                store(group, a[i], probs, i * classes, step);
            }
            return;
        }
        int n = a.length;
        int[] b = host.mix().partnerIndices();
        float[][] k = bothImages(group, host, probs);
        KnowledgeFraction.BatchFraction f = KnowledgeFraction.batch(options.fraction(),
                probs, k[0], k[1], host.lambda(), classes, options.lambdaFloor());
        for (int i = 0; i < n; i++) {
            if (f.updateA()[i]) {
                store(group, a[i], f.pA(), i * classes, step);
            }
            if (f.updateB()[i]) {
                store(group, b[i], f.pB(), i * classes, step);
            }
        }
    }

    /**
     * Group {@code group}'s knowledge of both images of a mixed batch: {@code [0]} of each sample's own image,
     * {@code [1]} of its partner's. An image with no knowledge yet takes {@code prior}'s row (the mixed output).
     */
    private float[][] bothImages(int group, HostBatch host, float[] prior) {
        int n = host.size();
        float[][] k = {new float[n * classes], new float[n * classes]};
        int[][] images = {host.indices(), host.mix().partnerIndices()};
        for (int side = 0; side < 2; side++) {
            boolean[] ok = new boolean[n];
            knowledge.lookup(group, images[side], k[side], ok);
            for (int i = 0; i < n; i++) {
                if (!ok[i]) {
                    System.arraycopy(prior, i * classes, k[side], i * classes, classes);
                }
            }
        }
        return k;
    }

    /** One observation into sample {@code index}'s group knowledge (and its age, when logged). */
    private void store(int group, int index, float[] probs, int offset, long step) {
        knowledge.update(group, index, probs, offset);
        if (age != null) {
            age.observed(group, index, step);
        }
    }
}
