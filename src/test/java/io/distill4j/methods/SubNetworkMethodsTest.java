package io.distill4j.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.loop.Stepper;
import io.distill4j.losses.DistillLoss;
import io.distill4j.models.StimulativeSampler;
import io.distill4j.models.StochasticDepthSampler;
import io.distill4j.models.SubNetwork;
import io.distill4j.run.Run;
import io.distill4j.runtime.Net;
import io.distill4j.util.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Stochastic Depth and Stimulative Training: each step's loss is the one computed by hand on the same draws. */
class SubNetworkMethodsTest {
    @TempDir
    Path dir;

    static final String BASE = """
            seed: 4
            data: {name: fashion-mnist-mini, train_subset: 128}
            networks: {student: {arch: resnet20}}
            train: {epochs: 1, batch_size: 32, threads: 1}
            optim: {lr: 0.05}
            """;

    private Run run(String method) throws IOException {
        Path p = dir.resolve("c.yaml");
        Files.writeString(p, BASE + "method: " + method + "\n");
        return Run.build(ConfigLoader.load(p, List.of()));
    }

    @Test
    void stochasticDepthTrainsTheSampledSubNetworkWithCrossEntropy() throws IOException {
        try (Run run = run("{name: stochastic-depth}")) {
            Net net = run.nets().get(0);
            SubNetwork sub = new StochasticDepthSampler(net.block()).sample(Seeds.rng(4, "stochastic-depth", 0));
            assertThat(sub).isNotEqualTo(SubNetwork.whole(sub.size())); // some block dropped at step 0
            float expected;
            try (NDManager m = run.manager().newSubManager(); Net.SubNetworkScope s = net.use(sub)) {
                Batch b = new Batch(run.trainLoader().batch(0, 0), m);
                expected = b.crossEntropy(net.logits(b.images(), true)).getFloat();
            }
            Map<String, Float> losses = new Stepper(run).step();
            // exact: the step's forward and loss are these operations on the same batch, weights and draw
            assertThat(losses.get("student/ce")).isEqualTo(expected);
            assertThat(net.block().isWhole()).isTrue();
        }
    }

    @Test
    void stimulativeTrainingAddsTheSubNetworksKlToTheWholeNetwork() throws IOException {
        try (Run run = run("{name: st, st: {subnets: 2, kl_weight: 0.5}}")) {
            Net net = run.nets().get(0);
            StimulativeSampler sampler = new StimulativeSampler(net.block());
            var rng = Seeds.rng(4, "st", 0);
            List<SubNetwork> subs = List.of(sampler.sample(rng), sampler.sample(rng));
            float ce;
            float kl = 0;
            try (NDManager m = run.manager().newSubManager()) {
                Batch b = new Batch(run.trainLoader().batch(0, 0), m);
                NDArray full = net.logits(b.images(), true);
                ce = b.crossEntropy(full).getFloat();
                for (SubNetwork sub : subs) {
                    try (Net.SubNetworkScope s = net.use(sub)) {
                        kl += DistillLoss.kl(full, net.logits(b.images(), true), 1).getFloat();
                    }
                }
            }
            Map<String, Float> losses = new Stepper(run).step();
            // exact: the same forwards and losses as the step's, in the same order; the step adds the two KL terms
            // and multiplies by the weight in libtorch, the same two IEEE float operations as here
            assertThat(losses.get("student/ce")).isEqualTo(ce);
            assertThat(losses.get("student/sub_kl")).isEqualTo(0.5f * kl);
        }
    }

    @Test
    void aNetworkWithoutResidualBranchesIsAConfigError() {
        assertThatThrownBy(() -> {
            Path p = dir.resolve("v.yaml");
            Files.writeString(p, BASE.replace("resnet20", "vgg8") + "method: {name: stochastic-depth}\n");
            Run.build(ConfigLoader.load(p, List.of())).close();
        }).isInstanceOf(UserError.class).hasMessageContaining("vgg8");
    }
}
