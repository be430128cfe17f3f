package io.distill4j.loop;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.distill4j.config.ConfigLoader;
import io.distill4j.methods.Batch;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodRegistry;
import io.distill4j.methods.MethodSpec;
import io.distill4j.methods.baseline.Baseline;
import io.distill4j.models.SubNetwork;
import io.distill4j.run.Run;
import io.distill4j.runtime.Net;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sub-networks are values applied in a scope; the optimizer skips exactly the parameters that took part in no
 * forward of an update; evaluation always sees the whole network.
 */
class SubNetworkTest {
    @TempDir
    Path dir;

    static final int DROPPED = 0; // resnet8's droppable residual unit (the others change the shape)

    static SubNetwork withoutDropped(Net n) {
        return SubNetwork.dropping(n.block().residualUnits().size(), List.of(DROPPED));
    }

    /** One update: the network with unit DROPPED switched off, cross-entropy. */
    static final Method DROP = (batch, ctx) -> ctx.update(() -> {
        Net n = ctx.trainable().get(0);
        try (Net.SubNetworkScope s = n.use(withoutDropped(n))) {
            return new Losses().add(n.name(), "ce", batch.crossEntropy(n.logits(batch.images(), true)));
        }
    });

    /** One update with two forwards, as Stimulative Training: the whole network plus the sub-network. */
    static final Method FULL_PLUS_SUB = (batch, ctx) -> ctx.update(() -> {
        Net n = ctx.trainable().get(0);
        NDArray full = batch.crossEntropy(n.logits(batch.images(), true));
        try (Net.SubNetworkScope s = n.use(withoutDropped(n))) {
            NDArray sub = batch.crossEntropy(n.logits(batch.images(), true));
            return new Losses().add(n.name(), "full", full).add(n.name(), "sub", sub);
        }
    });

    @BeforeAll
    static void register() {
        for (var e : Map.of("test-drop", DROP, "test-full-plus-sub", FULL_PLUS_SUB).entrySet()) {
            if (MethodRegistry.specs().stream().noneMatch(s -> s.name().equals(e.getKey()))) {
                MethodRegistry.register(new MethodSpec<>(e.getKey(), "test", Baseline.Options.class,
                        MethodSpec.Check.NONE, (o, setup) -> e.getValue()));
            }
        }
    }

    private Run run(String method, String optim) throws IOException {
        Path cfg = ResumeTest.config(dir, ResumeTest.CONFIG.replace("lr: 0.05, schedule: cosine, warmup_epochs: 0.5", optim)
                .replace("method: {name: baseline}", "method: {name: " + method + "}"));
        return Run.build(ConfigLoader.load(cfg, List.of()));
    }

    private static Map<Parameter, float[]> snapshot(List<Parameter> params) {
        Map<Parameter, float[]> m = new HashMap<>();
        for (Parameter p : params) {
            m.put(p, p.getArray().toFloatArray());
        }
        return m;
    }

    private static List<float[]> momentum(Net net) {
        List<float[]> out = new ArrayList<>();
        net.optimizer().state().forEach(b -> out.add(b.toFloatArray()));
        return out;
    }

    @Test
    void aBranchDroppedInEveryForwardOfAnUpdateIsUntouchedWeightsAndMomentum() throws IOException {
        try (Run run = run("test-drop", "lr: 0.5, weight_decay: 0.01")) {
            Net net = run.nets().get(0);
            List<Parameter> branch = net.block().residualUnits().get(DROPPED).branchParameters();
            assertThat(branch).isNotEmpty();
            // give every parameter momentum first: one update of the whole network, by hand
            try (NDManager m = run.manager().newSubManager();
                 GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray z = net.logits(run.trainLoader().batch(0, 0).view(m, 0), true);
                gc.backward(z.mul(z).mean());
            }
            net.optimizer().step(0.5, Set.of());
            List<float[]> momentumBefore = momentum(net);
            Map<Parameter, float[]> before = snapshot(Net.trainableParameters(net.block()));
            new Stepper(run).step();
            for (Parameter p : branch) {
                assertThat(p.getArray().toFloatArray()).as(p.getName()).containsExactly(before.get(p));
            }
            long moved = before.entrySet().stream().filter(e -> !branch.contains(e.getKey()))
                    .filter(e -> !Arrays.equals(e.getKey().getArray().toFloatArray(), e.getValue())).count();
            assertThat(moved).as("every other parameter moved").isEqualTo(before.size() - branch.size());
            List<Parameter> all = net.optimizer().parameters();
            List<float[]> momentumAfter = momentum(net);
            for (int i = 0; i < all.size(); i++) {
                if (branch.contains(all.get(i))) {
                    assertThat(momentumAfter.get(i)).as("momentum of " + all.get(i).getName())
                            .containsExactly(momentumBefore.get(i))
                            .isNotEqualTo(new float[momentumAfter.get(i).length]);
                } else {
                    assertThat(momentumAfter.get(i)).isNotEqualTo(momentumBefore.get(i));
                }
            }
            assertThat(net.block().isWhole()).as("the scope restored the whole network").isTrue();
        }
    }

    @Test
    void aFullPassPlusASubNetworkPassGivesTheBranchTheFullPassGradient() throws IOException {
        // plain SGD at a constant lr 1: each parameter moves by minus its gradient
        try (Run run = run("test-full-plus-sub",
                "lr: 1.0, momentum: 0, weight_decay: 0, nesterov: false, schedule: constant")) {
            Net net = run.nets().get(0);
            List<Parameter> params = Net.trainableParameters(net.block());
            List<Parameter> branch = net.block().residualUnits().get(DROPPED).branchParameters();
            Map<Parameter, float[]> before = snapshot(params);
            // the expected gradients, computed by hand: the full pass alone, and the sub-network pass alone
            Map<Parameter, float[]> gFull;
            Map<Parameter, float[]> gSub;
            try (NDManager m = run.manager().newSubManager()) {
                Batch b = new Batch(run.trainLoader().batch(0, 0), m);
                gFull = gradients(params, () -> b.crossEntropy(net.logits(b.images(), true)), net);
                gSub = gradients(params, () -> {
                    try (Net.SubNetworkScope s = net.use(withoutDropped(net))) {
                        return b.crossEntropy(net.logits(b.images(), true));
                    }
                }, net);
            }
            new Stepper(run).step();
            for (Parameter p : params) {
                float[] w0 = before.get(p);
                float[] w1 = p.getArray().toFloatArray();
                float[] expected = gFull.get(p).clone();
                if (branch.contains(p)) {
                    assertThat(gSub.get(p)).as("the sub-network pass does not reach " + p.getName()).containsOnly(0f);
                    assertThat(gFull.get(p)).as("the full pass reaches " + p.getName())
                            .isNotEqualTo(new float[w0.length]);
                } else { // outside the branch both passes contribute
                    for (int i = 0; i < expected.length; i++) {
                        expected[i] += gSub.get(p)[i];
                    }
                }
                // exact: the step back-propagates full + sub, whose gradient reaches each parameter as the sum of
                // the two passes' gradients (each computed as above: same forwards, same kernels, upstream gradient
                // 1), added once (a + b = b + a in IEEE); plain SGD at lr 1 with momentum 0 and no weight decay then
                // writes w - g (times 1: exact). So the step's weights are the float w0 - (gFull + gSub), bit for bit
                for (int i = 0; i < w0.length; i++) {
                    assertThat(w1[i]).as(p.getName() + "[" + i + "]").isEqualTo(w0[i] - expected[i]);
                }
            }
        }
    }

    private static Map<Parameter, float[]> gradients(List<Parameter> params, Supplier<NDArray> loss, Net net) {
        Map<Parameter, float[]> g = new HashMap<>();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(loss.get());
        }
        for (Parameter p : params) {
            g.put(p, p.getArray().getGradient().toFloatArray());
        }
        net.optimizer().zeroGrad();
        return g;
    }

    @Test
    void theScopeRestoresTheWholeNetworkAndEvaluationRefusesASubNetwork() throws IOException {
        try (Run run = run("baseline", "lr: 0.05")) {
            Net net = run.nets().get(0);
            int units = net.block().residualUnits().size();
            try (Net.SubNetworkScope s = net.use(SubNetwork.dropping(units, List.of(DROPPED)))) {
                assertThat(net.block().residualUnits().get(DROPPED).isActive()).isFalse();
                assertThatThrownBy(() -> Evaluator.evaluate(run.method(), run.nets(), run.testLoader(), run.manager(),
                        "test")).isInstanceOf(IllegalStateException.class).hasMessageContaining("sub-network");
                assertThatThrownBy(() -> net.use(SubNetwork.whole(units))).isInstanceOf(IllegalStateException.class);
            }
            assertThatThrownBy(() -> net.use(SubNetwork.dropping(units, List.of(1))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be dropped");
            assertThat(net.block().isWhole()).as("a refused sub-network changes nothing").isTrue();
            try (Net.SubNetworkScope s = net.use(SubNetwork.whole(units))) {
                assertThat(net.subNetwork()).isEqualTo(SubNetwork.whole(units));
            }
            assertThat(net.block().isWhole()).isTrue();
            assertThat(net.subNetwork()).isNull();
        }
    }

    @Test
    void aBranchScaledToZeroIsTheDroppedBranchAndScaleOneTheWholeNetwork() throws IOException {
        try (Run run = run("baseline", "lr: 0.05"); NDManager m = run.manager().newSubManager()) {
            Net net = run.nets().get(0);
            int units = net.block().residualUnits().size();
            NDArray x = run.testLoader().batch(0, 0).view(m, 0);
            float[] whole = net.logits(x, false).toFloatArray();
            float[] dropped;
            try (Net.SubNetworkScope s = net.use(withoutDropped(net))) {
                dropped = net.logits(x, false).toFloatArray();
            }
            float[] scale = SubNetwork.whole(units).scale();
            scale[DROPPED] = 0f; // the block's input follows a ReLU, so relu(x + 0 * branch) = x = dropped
            try (Net.SubNetworkScope s = net.use(new SubNetwork(SubNetwork.whole(units).active(), scale))) {
                // exact: relu(x + 0 * branch) = relu(x) = x for the block's input x >= 0 (0 * a finite branch is
                // +-0, and x + -0 = x), so every later layer sees the dropped network's values
                assertThat(net.logits(x, false).toFloatArray()).containsExactly(dropped);
            }
            scale[DROPPED] = 0.5f;
            float[] half;
            try (Net.SubNetworkScope s = net.use(new SubNetwork(SubNetwork.whole(units).active(), scale))) {
                half = net.logits(x, false).toFloatArray();
            }
            assertThat(half).isNotEqualTo(whole).isNotEqualTo(dropped);
            assertThat(net.logits(x, false).toFloatArray()).containsExactly(whole);
        }
    }
}
