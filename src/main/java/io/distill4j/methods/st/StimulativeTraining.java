package io.distill4j.methods.st;

import ai.djl.ndarray.NDArray;
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
import io.distill4j.models.StimulativeSampler;
import io.distill4j.models.SubNetwork;
import io.distill4j.runtime.Net;
import io.distill4j.util.Scalars;
import io.distill4j.util.Sums;

import java.util.ArrayList;
import java.util.List;

/**
 * Method {@code st}: Stimulative Training (Ye et al., NeurIPS 2022; docs/methods.md section 7, an MKF baseline). Each
 * step trains the whole network with cross-entropy and, in the same update, {@code subnets} sampled
 * sub-networks (each stage keeps its first d_i blocks, d_i uniform) with {@code KL(p_full.detach() || p_sub)};
 * gradients are summed and the optimizer steps once (a branch dropped in a sub-network still gets the whole
 * network's gradient). As the reference code, sub-networks run in training mode; set
 * {@code train.bn_recalibration} to re-estimate BatchNorm statistics before each evaluation as it does.
 */
public final class StimulativeTraining implements Method {
    /** Options of {@code st}. */
    public record Options(
            @Option(doc = "sub-networks trained per step, each distilled from the whole network", value = "1",
                    min = 1, max = 64) int subnets,
            @Option(doc = "weight of each sub-network's KL term", value = "1", min = 0, max = 1e6) double klWeight,
            @Option(doc = "softmax temperature of the KL terms (times T^2)", value = "1", min = 1e-3, max = 1e3)
            double temperature) {}

    private final Options options;
    private StimulativeSampler sampler;

    public static void check(RunConfig cfg) {
        ConfigChecks.oneResidualNetwork(cfg, "st");
    }

    public StimulativeTraining(Options options, MethodSetup setup) {
        this.options = options;
    }

    @Override
    public void attach(NDManager manager, List<Net> trainable, List<Teacher> teachers) {
        sampler = new StimulativeSampler(trainable.get(0).block());
    }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        Net net = ctx.trainable().get(0);
        List<SubNetwork> subs = new ArrayList<>();
        var rng = ctx.rng("st");
        for (int i = 0; i < options.subnets(); i++) {
            subs.add(sampler.sample(rng));
        }
        return ctx.update(() -> {
            NDArray full = net.logits(batch.images(), true);
            Losses l = new Losses().add(net.name(), "ce", batch.crossEntropy(full));
            NDArray kl = null;
            for (SubNetwork sub : subs) {
                try (Net.SubNetworkScope s = net.use(sub)) {
                    NDArray term = DistillLoss.kl(full.stopGradient(), net.logits(batch.images(), true),
                            options.temperature());
                    kl = Sums.plus(kl, term);
                }
            }
            return l.add(net.name(), "sub_kl", Scalars.mul(kl, (float) options.klWeight()));
        });
    }
}
