package io.distill4j.methods.stochasticdepth;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.knowledge.Teacher;
import io.distill4j.methods.Batch;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.StepContext;
import io.distill4j.models.StochasticDepthSampler;
import io.distill4j.models.SubNetwork;
import io.distill4j.runtime.Net;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Method {@code stochastic-depth} (Huang et al. 2016; docs/methods.md section 8, an MKF baseline): each step trains a
 * sub-network in which residual block l (of L) survives with {@code p_l = 1 - l/L * (1 - p_L)}, with
 * cross-entropy. {@code convention: inverted} (default) scales surviving branches by {@code 1/p_l} during
 * training and evaluates the whole network; {@code scale_at_inference} (the article's) trains at scale 1 and
 * evaluates every branch scaled by {@code p_l}.
 */
public final class StochasticDepth implements Method {
    /** Options of {@code stochastic-depth}. */
    public record Options(
            @Option(doc = "survival probability p_L of the last block (linear decay from 1 at the input)",
                    value = "0.5", min = 1e-3, max = 1) double lastSurvival,
            @Option(doc = "inverted: surviving branches scaled by 1/p_l in training; scale_at_inference: "
                    + "branches scaled by p_l at evaluation", value = "inverted")
            StochasticDepthSampler.Convention convention) {}

    private final Options options;
    private StochasticDepthSampler sampler;

    public static void check(RunConfig cfg) {
        ConfigChecks.oneResidualNetwork(cfg, "stochastic-depth");
    }

    public StochasticDepth(Options options, MethodSetup setup) {
        this.options = options;
    }

    @Override
    public void attach(NDManager manager, List<Net> trainable, List<Teacher> teachers) {
        sampler = new StochasticDepthSampler(trainable.get(0).block(), options.lastSurvival(), options.convention());
    }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        Net net = ctx.trainable().get(0);
        SubNetwork sub = sampler.sample(ctx.rng("stochastic-depth"));
        return ctx.update(() -> {
            try (Net.SubNetworkScope s = net.use(sub)) {
                return new Losses().add(net.name(), "ce", batch.crossEntropy(net.logits(batch.images(), true)));
            }
        });
    }

    @Override
    public Map<String, NDArray> evaluate(NDArray images, List<Net> trainable) {
        Net net = trainable.get(0);
        SubNetwork inference = sampler.inference();
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (Net.SubNetworkScope s = net.use(inference)) { // the whole network, scaled as the convention says
            out.put(net.name(), net.logits(images, false).softmax(1));
        }
        return out;
    }
}
