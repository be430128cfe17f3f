package io.distill4j.models;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.distill4j.FloatBounds;
import io.distill4j.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ModelRegistryTest {
    @ParameterizedTest
    @ValueSource(strings = {"resnet8", "resnet20", "resnet8x4", "wrn-16-2", "mobilenetv2x0.5", "vgg8", "vgg13"})
    void logitsAndFeaturesForGrayAndColourInputs(String arch) {
        for (int[] in : new int[][] {{1, 28, 28}, {3, 32, 32}}) {
            try (NDManager m = NDManager.newBaseManager()) {
                Network net = ModelRegistry.buildAndInit(arch, in[0], 7, in[1], in[2], m);
                NDList out = net.forward(new ParameterStore(m, false),
                        new NDList(m.randomNormal(new Shape(2, in[0], in[1], in[2]))), false);
                assertThat(out.get(0).getShape()).isEqualTo(new Shape(2, 7));
                assertThat(out.get(1).getShape()).isEqualTo(new Shape(2, net.featureDim()));
                assertThat(out.get(0).isInfinite().any().getBoolean()).isFalse();
            }
        }
    }

    /** Counts by hand (conv weights, BN gamma+beta, classifier), e.g. resnet20 = 272,474 for CIFAR-10. */
    @Test
    void parameterCountsMatchTheLiterature() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(ModelRegistry.countParameters(ModelRegistry.buildAndInit("resnet20", 3, 10, 32, 32, m)))
                    .isEqualTo(272_474);
            assertThat(ModelRegistry.countParameters(ModelRegistry.buildAndInit("resnet56", 3, 10, 32, 32, m)))
                    .isEqualTo(855_770);
            assertThat(ModelRegistry.countParameters(ModelRegistry.buildAndInit("resnet110", 3, 10, 32, 32, m)))
                    .isEqualTo(1_730_714);
        }
    }

    @Test
    void residualUnitsAndWhichCanBeDropped() {
        try (NDManager m = NDManager.newBaseManager()) {
            Network net = ModelRegistry.buildAndInit("resnet20", 1, 10, 28, 28, m);
            List<ResidualUnit> units = net.residualUnits();
            assertThat(units).hasSize(9);
            assertThat(units.stream().filter(ResidualUnit::isDroppable).count()).isEqualTo(7);
            assertThat(units.stream().map(ResidualUnit::stage).toList()).containsExactly(0, 0, 0, 1, 1, 1, 2, 2, 2);
            ResidualUnit transition = units.get(3);
            assertThat(transition.isDroppable()).isFalse();
            assertThatThrownBy(() -> transition.setActive(false)).isInstanceOf(IllegalStateException.class);
            assertThat(ModelRegistry.buildAndInit("vgg8", 1, 10, 28, 28, m).residualUnits()).isEmpty();
        }
    }

    @Test
    void switchedOffBranchIsIdentityGetsNoGradientAndKeepsItsStatistics() {
        try (NDManager m = NDManager.newBaseManager()) {
            Network net = ModelRegistry.buildAndInit("resnet8", 1, 10, 28, 28, m);
            ResidualBlock block = (ResidualBlock) net.residualUnits().get(0);
            block.setActive(false);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(4, 16, 8, 8));
            assertThat(block.forward(ps, new NDList(x), true).singletonOrThrow().toFloatArray())
                    .containsExactly(x.toFloatArray());

            Set<Parameter> branch = new HashSet<>(block.branchParameters());
            List<float[]> stats = block.getParameters().values().stream()
                    .filter(p -> !p.requiresGradient()).map(p -> p.getArray().toFloatArray()).toList();
            assertThat(stats).isNotEmpty();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = net.forward(ps, new NDList(m.randomNormal(new Shape(4, 1, 28, 28))), true).get(0);
                gc.backward(logits.square().sum());
            }
            for (var p : net.getParameters()) {
                if (!p.getValue().requiresGradient()) {
                    continue;
                }
                float g = p.getValue().getArray().getGradient().abs().sum().getFloat();
                if (branch.contains(p.getValue())) {
                    assertThat(g).as(p.getKey()).isZero();
                } else if (p.getKey().contains("fc") || p.getKey().contains("stem")) {
                    assertThat(g).as(p.getKey()).isPositive();
                }
            }
            List<float[]> after = block.getParameters().values().stream()
                    .filter(p -> !p.requiresGradient()).map(p -> p.getArray().toFloatArray()).toList();
            for (int i = 0; i < stats.size(); i++) {
                assertThat(after.get(i)).containsExactly(stats.get(i));
            }
        }
    }

    /** PyTorch's BatchNorm: running = 0.9 running + 0.1 batch (mean), unbiased variance, eps 1e-5. */
    @Test
    void batchNormRunningStatisticsFollowPyTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block bn = Layers.bn();
            bn.initialize(m, DataType.FLOAT32, new Shape(4, 1, 1, 1));
            NDArray x = m.create(new float[] {1, 2, 3, 6}, new Shape(4, 1, 1, 1));
            bn.forward(new ParameterStore(m, false), new NDList(x), true);
            var params = bn.getParameters();
            float runningMean = params.get("runningMean").getArray().getFloat(0);
            float runningVar = params.get("runningVar").getArray().getFloat(0);
            // against the exact values, 0.1 * 3 and 0.9 + 0.1 * 14/3 (the unbiased variance of {1, 2, 3, 6}): the sums
            // of these integers are exact in any order, so what rounds is the momentum update (0.1 and 0.9 stored,
            // two products, a sum), the division by 3 and the cast: at most 6 roundings of values up to 1.37
            double u = FloatBounds.U;
            assertThat((double) runningMean).isCloseTo(0.1 * 3, within(6 * u * 0.3));
            assertThat((double) runningVar).isCloseTo(0.9 + 0.1 * 14 / 3.0, within(6 * u * (0.9 + 0.1 * 14 / 3.0)));
            // (6 - mean 3) / sqrt(biased variance 3.5 + 1e-5): the inverse deviation (eps stored and added, sqrt,
            // division: 4 u relative) and the affine form x * a + (beta - mean * a) libtorch evaluates (3 roundings
            // of terms up to |x| a = 6 a): 4 u * 3 a + 3 u * 6 a = 30 u a
            double a = 1 / Math.sqrt(3.5 + 1e-5);
            NDArray y = bn.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
            assertThat((double) y.getFloat(3, 0, 0, 0)).isCloseTo(3 * a, within(30 * u * a));
        }
    }

    @Test
    void trainingAndInferenceModesDiffer() {
        try (NDManager m = NDManager.newBaseManager()) {
            Network net = ModelRegistry.buildAndInit("resnet8", 1, 10, 28, 28, m);
            NDArray x = m.randomNormal(new Shape(8, 1, 28, 28));
            ParameterStore ps = new ParameterStore(m, false);
            float[] train = net.forward(ps, new NDList(x), true).get(0).toFloatArray();
            float[] eval = net.forward(ps, new NDList(x), false).get(0).toFloatArray();
            assertThat(train).isNotEqualTo(eval);
        }
    }

    @Test
    void unknownArchitecturesAreNamed() {
        assertThatThrownBy(() -> ModelRegistry.build("resnet9", 1, 10)).isInstanceOf(UserError.class)
                .hasMessageContaining("resnet9").hasMessageContaining("6n+2");
        assertThatThrownBy(() -> ModelRegistry.build("alexnet", 1, 10)).isInstanceOf(UserError.class)
                .hasMessageContaining("alexnet").hasMessageContaining("resnet");
        assertThatThrownBy(() -> ModelRegistry.build("wrn-17-2", 1, 10)).isInstanceOf(UserError.class)
                .hasMessageContaining("wrn-17-2");
    }

    /** Each malformed name ends in a UserError that quotes it and states the rule (never an error from DJL). */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "resnet8x0|resnet width k in resnet{depth}x{k} must be 1..16",
            "resnet8x17|must be 1..16",
            "resnet8x99999999999999|must be 1..16",
            "resnet20x000|must be 1..16",
            "resnet99999999998|resnet depth must be 6n+2 with n >= 1 and depth <= 1202",
            "resnet1208|depth <= 1202",
            "resnet2|6n+2",
            "resnet0|6n+2",
            "resnet-20|resnet{depth}x{k}",
            "resnet8x-4|must be 1..16",
            "resnet8x|resnet{depth}x{k}",
            "wrn-16-0|WRN width k in wrn-{depth}-{k} must be 1..16",
            "wrn-16-17|must be 1..16",
            "wrn-16-99999999999|must be 1..16",
            "wrn-0-2|WRN depth must be 6n+4 with n >= 1 and depth <= 100",
            "wrn-4-2|6n+4",
            "wrn-106-2|depth <= 100",
            "wrn-99999999999-2|depth <= 100",
            "wrn-16|wrn-{depth}-{k}",
            "wrn-16--2|wrn-{depth}-{k}",
            "mobilenetv2x0|must be in (0, 4]",
            "mobilenetv2x0.0|must be in (0, 4]",
            "mobilenetv2x4.5|must be in (0, 4]",
            "mobilenetv2x99999999999999999999|must be in (0, 4]",
            "mobilenetv2x-1|mobilenetv2x{w}",
            "mobilenetv3|mobilenetv2x{w}",
            "vgg7|vgg8, vgg11, vgg13",
            "vgg16|vgg8, vgg11, vgg13",
            "vgg|vgg8, vgg11, vgg13",
            "densenet|resnet{6n+2}[x{k}]"})
    void malformedArchitecturesAreUserErrorsThatSayWhatIsValid(String arch, String rule) {
        assertThatThrownBy(() -> ModelRegistry.build(arch, 3, 10)).isInstanceOf(UserError.class)
                .hasMessageContaining("'" + arch + "'").hasMessageContaining(rule);
    }

    @Test
    void boundsThemselvesBuild() {
        assertThat(ModelRegistry.build("resnet8x16", 3, 10).featureDim()).isEqualTo(64 * 16);
        assertThat(ModelRegistry.build("wrn-10-16", 3, 10).featureDim()).isEqualTo(64 * 16);
        assertThat(ModelRegistry.build("resnet1202", 3, 10).residualUnits()).hasSize(3 * 200);
        assertThat(ModelRegistry.build("wrn-100-1", 3, 10).residualUnits()).hasSize(3 * 16);
        assertThat(ModelRegistry.build("mobilenetv2x4", 3, 10)).isNotNull();
    }
}
