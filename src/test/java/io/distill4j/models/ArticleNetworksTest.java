package io.distill4j.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.distill4j.UserError;
import io.distill4j.methods.mkf.InheritedSampler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The MKF article's networks ({@link ArticleNetworks}): published parameter counts, forward shapes on small inputs
 * (32x32 or 28x28 for the CIFAR forms, 64x64 for the ImageNet forms, batch 2; never ImageNet resolution), the
 * residual units and switching their branches.
 */
class ArticleNetworksTest {
    static long count(String arch, int classes, int side) {
        try (NDManager m = NDManager.newBaseManager()) {
            return ModelRegistry.countParameters(ModelRegistry.buildAndInit(arch, 3, classes, side, side, m));
        }
    }

    /**
     * torchvision's counts with 1000 classes (resnet18/34/50, mobilenet_v3_large/small) and the common CIFAR
     * ResNets' with 100 classes (e.g. kuangliu/pytorch-cifar, CRD's): weights, biases, BN gamma and beta, no running
     * statistics. The count does not depend on the input size, so the networks are initialised for small inputs.
     */
    @ParameterizedTest
    @CsvSource({
            "resnet18-imagenet, 1000, 11689512",
            "resnet34-imagenet, 1000, 21797672",
            "resnet50-imagenet, 1000, 25557032",
            "mobilenetv3-large, 1000, 5483032",
            "mobilenetv3-small, 1000, 2542856",
            "resnet18-cifar, 100, 11220132",
            "resnet34-cifar, 100, 21328292",
            "resnet50-cifar, 100, 23705252"})
    void parameterCountsArePublishedOnes(String arch, int classes, long expected) {
        assertThat(count(arch, classes, 32)).isEqualTo(expected);
    }

    /** The -cifar forms of MobileNetV3 differ only in strides: the same parameters. */
    @Test
    void cifarMobileNetsHaveTheImageNetParameters() {
        assertThat(count("mobilenetv3-small-cifar", 1000, 32)).isEqualTo(2_542_856);
    }

    /** Shape of the last feature map (the head's output, before pooling). */
    static Shape lastMap(Network net, Shape input) {
        Shape[] s = {input};
        for (var child : net.getChildren()) {
            String name = child.getKey();
            if (name.endsWith("fc") || name.endsWith("prelogits")) {
                continue;
            }
            s = child.getValue().getOutputShapes(s);
        }
        return s[0];
    }

    @ParameterizedTest
    @CsvSource({
            "resnet18-cifar, 1, 28, 512, 4",
            "resnet18-cifar, 3, 32, 512, 4",
            "resnet34-cifar, 3, 32, 512, 4",
            "resnet50-cifar, 3, 32, 2048, 4",
            "resnet18-imagenet, 3, 64, 512, 2",
            "resnet34-imagenet, 3, 64, 512, 2",
            "resnet50-imagenet, 3, 64, 2048, 2",
            "mobilenetv3-small-cifar, 1, 28, 1024, 4",
            "mobilenetv3-small-cifar, 3, 32, 1024, 4",
            "mobilenetv3-large-cifar, 3, 32, 1280, 4",
            "mobilenetv3-small, 3, 64, 1024, 2",
            "mobilenetv3-large, 3, 64, 1280, 2"})
    void forwardGivesLogitsAndFeatures(String arch, int channels, int side, int featureDim, int mapSide) {
        try (NDManager m = NDManager.newBaseManager()) {
            Network net = ModelRegistry.buildAndInit(arch, channels, 7, side, side, m);
            assertThat(net.featureDim()).isEqualTo(featureDim);
            assertThat(net.arch()).isEqualTo(arch);
            Shape in = new Shape(2, channels, side, side);
            assertThat(lastMap(net, in).get(2)).as("final map side").isEqualTo(mapSide);
            for (boolean training : new boolean[] {false, true}) {
                NDList out = net.forward(new ParameterStore(m, false), new NDList(m.randomNormal(in)), training);
                assertThat(out).hasSize(2);
                assertThat(out.get(0).getShape()).isEqualTo(new Shape(2, 7));
                assertThat(out.get(1).getShape()).isEqualTo(new Shape(2, featureDim));
                assertThat(out.get(0).isNaN().any().getBoolean()).isFalse();
                assertThat(out.get(0).isInfinite().any().getBoolean()).isFalse();
            }
        }
    }

    static List<Integer> stages(Network net) {
        return net.residualUnits().stream().map(ResidualUnit::stage).toList();
    }

    static List<Integer> fixed(Network net) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < net.residualUnits().size(); i++) {
            if (!net.residualUnits().get(i).isDroppable()) {
                out.add(i);
            }
        }
        return out;
    }

    /** Every block of the ResNets is a residual unit; the projection ones (shape change) cannot be dropped. */
    @Test
    void resnetUnitsStagesAndWhichCanBeDropped() {
        for (String form : new String[] {"cifar", "imagenet"}) {
            Network r18 = ModelRegistry.build("resnet18-" + form, 3, 10);
            assertThat(stages(r18)).containsExactly(0, 0, 1, 1, 2, 2, 3, 3);
            assertThat(fixed(r18)).containsExactly(2, 4, 6);
            Network r34 = ModelRegistry.build("resnet34-" + form, 3, 10);
            assertThat(stages(r34)).containsExactly(0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3);
            assertThat(fixed(r34)).containsExactly(3, 7, 13);
            Network r50 = ModelRegistry.build("resnet50-" + form, 3, 10);
            assertThat(stages(r50)).containsExactly(0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3);
            assertThat(fixed(r50)).as("the first bottleneck widens 64 to 256").containsExactly(0, 3, 7, 13);
            for (Network net : List.of(r18, r34, r50)) {
                for (int i : fixed(net)) {
                    ResidualUnit u = net.residualUnits().get(i);
                    assertThatThrownBy(() -> u.setActive(false)).isInstanceOf(IllegalStateException.class);
                }
            }
        }
    }

    /** Only MobileNetV3's stride-1, same-width bnecks have a skip connection: those are the (droppable) units. */
    @Test
    void mobileNetUnitsAreItsSkipConnectedBlocks() {
        for (String form : new String[] {"", "-cifar"}) {
            Network large = ModelRegistry.build("mobilenetv3-large" + form, 3, 10);
            assertThat(stages(large)).containsExactly(0, 1, 2, 2, 3, 3, 3, 3, 4, 4);
            assertThat(fixed(large)).isEmpty();
        }
        Network small = ModelRegistry.build("mobilenetv3-small", 3, 10);
        assertThat(stages(small)).containsExactly(1, 2, 2, 2, 3, 3);
        assertThat(fixed(small)).isEmpty();
        // the -cifar form runs the first bneck (16 -> 16) at stride 1: then it has a skip connection too
        Network smallCifar = ModelRegistry.build("mobilenetv3-small-cifar", 3, 10);
        assertThat(stages(smallCifar)).containsExactly(0, 1, 2, 2, 2, 3, 3);
        assertThat(fixed(smallCifar)).isEmpty();
    }

    /** The samplers of MKF, Stimulative Training and Stochastic Depth accept the new layouts. */
    @Test
    void samplersAcceptTheNewNetworks() {
        for (String arch : new String[] {"resnet18-cifar", "resnet50-imagenet", "mobilenetv3-small-cifar",
                "mobilenetv3-large"}) {
            Network net = ModelRegistry.build(arch, 1, 10);
            assertThat(SubNetworkSampler.Layout.of(net, "mkf").size()).isEqualTo(net.residualUnits().size());
            assertThat(new StimulativeSampler(net).size()).isEqualTo(net.residualUnits().size());
            assertThat(new StochasticDepthSampler(net).size()).isEqualTo(net.residualUnits().size());
            new InheritedSampler(net);
        }
    }

    /** Switching a droppable block off changes the output, and the network is whole (and as before) after. */
    @ParameterizedTest
    @CsvSource({"resnet18-cifar, 1, 28", "resnet50-imagenet, 3, 64", "mobilenetv3-small-cifar, 1, 28",
            "mobilenetv3-large, 3, 64"})
    void droppingABlockChangesTheOutputAndIsUndone(String arch, int channels, int side) {
        try (NDManager m = NDManager.newBaseManager()) {
            Network net = ModelRegistry.buildAndInit(arch, channels, 10, side, side, m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, channels, side, side));
            float[] whole = net.forward(ps, new NDList(x), false).get(0).toFloatArray();
            List<ResidualUnit> units = net.residualUnits();
            for (int i : new int[] {firstDroppable(units), units.size() - 1}) {
                ResidualUnit u = units.get(i);
                assertThat(u.isDroppable()).isTrue();
                u.setActive(false);
                assertThat(net.isWhole()).isFalse();
                float[] dropped = net.forward(ps, new NDList(x), false).get(0).toFloatArray();
                // a real change, not rounding: the same kernels in this process give bit-identical outputs for the
                // same network (checked below), so any difference is the unit; 1e-4 asks for a visible one
                assertThat(maxDiff(dropped, whole)).as("unit %d off", i).isGreaterThan(1e-4f);
                u.setActive(true);
                assertThat(net.isWhole()).isTrue();
                assertThat(net.forward(ps, new NDList(x), false).get(0).toFloatArray()).containsExactly(whole);
            }
        }
    }

    static int firstDroppable(List<ResidualUnit> units) {
        for (int i = 0; i < units.size(); i++) {
            if (units.get(i).isDroppable()) {
                return i;
            }
        }
        throw new AssertionError("no droppable unit");
    }

    static float maxDiff(float[] a, float[] b) {
        float d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    /** A switched-off MobileNetV3 bneck is the identity (its branch, SE included, does not run). */
    @Test
    void switchedOffBneckIsTheIdentity() {
        try (NDManager m = NDManager.newBaseManager()) {
            Network net = ModelRegistry.buildAndInit("mobilenetv3-small-cifar", 1, 10, 28, 28, m);
            ResidualBlock block = (ResidualBlock) net.residualUnits().get(2); // 40 -> 40 at 7x7, with SE
            block.setActive(false);
            NDArray x = m.randomNormal(new Shape(2, 40, 7, 7));
            assertThat(block.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow()
                    .toFloatArray()).containsExactly(x.toFloatArray());
            block.setActive(true);
            assertThat(block.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow()
                    .toFloatArray()).isNotEqualTo(x.toFloatArray());
        }
    }

    @Test
    void hardSwishHardSigmoidAndMakeDivisibleAsPyTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] v = {-4, -3, -1, 0, 1, 3, 4};
            NDArray x = m.create(v);
            // exact: elementwise IEEE float operations (x + 3, a clip, / 6, * x) give the same values on every CPU;
            // PyTorch's definitions evaluated here in Java float, and they are the closed forms
            // {-0, -0, -1/3, 0, 2/3, 3, 4} and {0, 0, 1/3, 1/2, 2/3, 1, 1} correctly rounded
            float[] sigmoid = new float[v.length];
            float[] swish = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                sigmoid[i] = Math.min(Math.max(v[i] + 3f, 0f), 6f) / 6f;
                swish[i] = v[i] * sigmoid[i];
            }
            assertThat(swish).containsExactly(-0f, -0f, -1f / 3, 0, 2f / 3, 3, 4);
            assertThat(sigmoid).containsExactly(0, 0, 1f / 3, 0.5f, 2f / 3, 1, 1);
            assertThat(ArticleNetworks.hardSwish(x).toFloatArray()).containsExactly(swish);
            assertThat(ArticleNetworks.hardSigmoid(x).toFloatArray()).containsExactly(sigmoid);
        }
        // torchvision's SE widths: _make_divisible(expanded // 4, 8)
        assertThat(ArticleNetworks.makeDivisible(16 / 4)).isEqualTo(8);
        assertThat(ArticleNetworks.makeDivisible(72 / 4)).isEqualTo(24);
        assertThat(ArticleNetworks.makeDivisible(96 / 4)).isEqualTo(24);
        assertThat(ArticleNetworks.makeDivisible(120 / 4)).isEqualTo(32);
        assertThat(ArticleNetworks.makeDivisible(144 / 4)).isEqualTo(40);
        assertThat(ArticleNetworks.makeDivisible(672 / 4)).isEqualTo(168);
    }

    /** The suffix keeps the names apart from the CIFAR 6n+2 family, whose names and messages are unchanged. */
    @Test
    void namesDoNotCollideWithTheCifarResNets() {
        assertThat(ModelRegistry.build("resnet50", 3, 10).featureDim()).isEqualTo(64);
        assertThat(ModelRegistry.build("resnet20", 3, 10).residualUnits()).hasSize(9);
        assertThat(ModelRegistry.build("resnet50-cifar", 3, 10).featureDim()).isEqualTo(2048);
        assertThatThrownBy(() -> ModelRegistry.build("resnet18", 3, 10)).isInstanceOf(UserError.class)
                .hasMessageContaining("'resnet18'").hasMessageContaining("6n+2");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "resnet20-cifar|resnet{18|34|50}-{cifar|imagenet}",
            "resnet101-imagenet|resnet{18|34|50}-{cifar|imagenet}",
            "resnet18-|resnet{18|34|50}-{cifar|imagenet}",
            "resnet18-cifar10|resnet{depth}x{k}",
            "resnet18-imagenet-cifar|resnet18-cifar",
            "mobilenetv3|mobilenetv3-small or mobilenetv3-large",
            "mobilenetv3-medium|mobilenetv3-small-cifar",
            "mobilenetv3-small-imagenet|mobilenetv3-small or mobilenetv3-large",
            "mobilenetv3-large-cifarx2|with -cifar for small inputs",
            "mobilenetv3small|mobilenetv2x{w}",
            "efficientnet|mobilenetv3-{small|large}[-cifar]"})
    void malformedNewNamesSayWhatIsValid(String arch, String rule) {
        assertThatThrownBy(() -> ModelRegistry.build(arch, 3, 10)).isInstanceOf(UserError.class)
                .hasMessageContaining("'" + arch + "'").hasMessageContaining(rule);
    }
}
