package io.distill4j.foreign;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.FloatBounds;
import io.distill4j.UserError;
import io.distill4j.models.ModelRegistry;
import io.distill4j.models.Network;
import io.distill4j.models.SqueezeExcitation;
import io.distill4j.models.TorchvisionNames;
import io.distill4j.util.HostArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.distill4j.foreign.ForeignModelTest.floats;
import static io.distill4j.foreign.ForeignModelTest.shape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code init:} from torchvision's weights ({@link TorchvisionInit}). The committed fixture is torchvision 0.14's
 * mobilenet_v3_small at 10 classes, scripted, with random BatchNorm weights and moved running statistics
 * (tools/make_scripted_students.py); the mapped distill4j network must give PyTorch's logits within the forward-error
 * bound. resnet18/34/50 and mobilenet_v3_large are checked against PyTorch by tools/check_torchvision_init.py, whose
 * files are too large to commit: when {@code DISTILL4J_TORCHVISION_FIXTURES} names its output folder, the same
 * comparison runs on them here.
 */
class TorchvisionInitTest {
    static final Path FIXTURES = Path.of("src/test/resources/io/distill4j/torchvision");

    /** len(state_dict()) less num_batches_tracked, by torchvision 0.14 (resnet18 of the -cifar form as -imagenet). */
    static final Map<String, Integer> TORCHVISION_COUNTS = Map.of("resnet18", 102, "resnet34", 182,
            "resnet50", 267, "mobilenetv3-small", 210, "mobilenetv3-large", 266);

    /** The names are written from the same tables as the networks: one per parameter, for every architecture. */
    @ParameterizedTest
    @ValueSource(strings = {"resnet18-imagenet", "resnet34-imagenet", "resnet50-imagenet", "resnet18-cifar",
            "resnet50-cifar", "mobilenetv3-small", "mobilenetv3-large", "mobilenetv3-small-cifar",
            "mobilenetv3-large-cifar"})
    void everyParameterHasATorchvisionName(String arch) {
        Network net = ModelRegistry.build(arch, 3, 10);
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            List<String> names = TorchvisionNames.of(arch);
            List<Pair<String, Parameter>> params = net.getParameters().stream().toList();
            assertThat(names).hasSize(params.size()).doesNotHaveDuplicates()
                    .hasSize(TORCHVISION_COUNTS.get(arch.replace("-cifar", "").replace("-imagenet", "")));
            for (int i = 0; i < names.size(); i++) { // BatchNorm's four in DJL's order, convolutions and linears
                String djl = params.get(i).getKey();
                String tv = names.get(i);
                String kind = tv.endsWith("running_mean") ? "runningMean" : tv.endsWith("running_var") ? "runningVar"
                        : djl.contains("BatchNorm") ? (tv.endsWith("weight") ? "gamma" : "beta")
                        : tv.endsWith("weight") ? "weight" : "bias";
                assertThat(djl).as(tv).endsWith(kind);
            }
        }
    }

    static Network mapped(Path file, String arch, int classes, int size, NDManager m) {
        Network net = ModelRegistry.buildAndInit(arch, 3, classes, size, size, m);
        TorchvisionInit.load(file, net, "test: networks.student.init");
        return net;
    }

    static float[] logits(Network net, float[] x, long[] shape, NDManager m) {
        NDArray in = HostArrays.floats(m, x, new Shape(shape));
        return net.forward(new ParameterStore(m, false), new NDList(in), false).get(0).toFloatArray();
    }

    /**
     * The bound of {@link FloatBounds#network(Block, long)} (a layer per weight tensor, the final pool)
     * plus, for each squeeze-excitation, the mean over its whole map (at most {@code seArea} values) and the gate's
     * product; two implementations within twice it, relative to a sample's largest logit.
     */
    static void assertPyTorchsLogits(Network net, float[] got, float[] want, int classes, long poolArea, long seArea) {
        long se = net.getChildren().values().stream().mapToLong(TorchvisionInitTest::countSe).sum();
        double g = FloatBounds.network(net, poolArea) + se * (FloatBounds.gamma(seArea + 1) + 10 * FloatBounds.U);
        double[] bound = FloatBounds.perSample(got, want, classes, g);
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            assertThat((double) got[i]).as("%s logit %d (bound %.3g)", net.arch(), i, bound[i])
                    .isCloseTo(want[i], within(bound[i]));
            worst = Math.max(worst, Math.abs(got[i] - want[i]) / bound[i]);
        }
        System.out.printf("%s: largest difference %.3g of its bound%n", net.arch(), worst);
    }

    private static long countSe(Block b) {
        return (b instanceof SqueezeExcitation ? 1 : 0)
                + b.getChildren().values().stream().mapToLong(TorchvisionInitTest::countSe).sum();
    }

    static JsonObject expected(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    @Test
    void torchvisionsMobileNetV3SmallGivesPyTorchsLogits() throws IOException {
        JsonObject e = expected(FIXTURES.resolve("mobilenet_v3_small-expected.json"));
        try (NDManager m = NDManager.newBaseManager()) {
            Network net = mapped(FIXTURES.resolve("mobilenet_v3_small.pt"), "mobilenetv3-small", 10, 64, m);
            JsonObject in = e.getAsJsonObject("input");
            float[] got = logits(net, floats(in.getAsJsonArray("data")), shape(in.getAsJsonArray("shape")), m);
            // 64x64: the stem and the first block (stride 2 each) leave 16x16 for the first squeeze-excitation
            assertPyTorchsLogits(net, got, floats(e.getAsJsonObject("logits").getAsJsonArray("data")), 10, 4, 256);
        }
    }

    @Test
    void aClassifierOfAnotherClassCountKeepsItsInitialisationAndIsNamed() {
        try (NDManager m = NDManager.newBaseManager()) {
            Network net = ModelRegistry.buildAndInit("mobilenetv3-small-cifar", 3, 5, 32, 32, m);
            List<float[]> before = new ArrayList<>();
            net.getParameters().forEach(p -> before.add(p.getValue().getArray().toFloatArray()));
            String note = TorchvisionInit.load(FIXTURES.resolve("mobilenet_v3_small.pt"), net, "x.yaml: networks.s.init");
            assertThat(note).isEqualTo("x.yaml: networks.s.init: 208 tensors of " + FIXTURES.resolve(
                    "mobilenet_v3_small.pt") + " (torchvision's names) onto mobilenetv3-small-cifar; the classifier "
                    + "(classifier.3: 10 classes in the file, 5 here) keeps its fresh initialisation; BatchNorm "
                    + "variances + 0.00099 for torchvision's epsilon 1e-3");
            List<Pair<String, Parameter>> after = net.getParameters().stream().toList();
            var file = TorchArchive.read(FIXTURES.resolve("mobilenet_v3_small.pt"));
            List<String> names = TorchvisionNames.of("mobilenetv3-small-cifar");
            int n = after.size();
            for (int i = 0; i < n; i++) {
                float[] now = after.get(i).getValue().getArray().toFloatArray();
                if (i >= n - 2) {
                    assertThat(now).as("classifier").isEqualTo(before.get(i));
                    continue;
                }
                String name = names.get(i);
                float[] want = file.get(name).values().clone();
                for (int j = 0; j < want.length && name.endsWith("running_var"); j++) {
                    want[j] += 1e-3f - Network.BN_EPSILON;
                }
                assertThat(now).as(name).isEqualTo(want);
            }
        }
    }

    @Test
    void aModelOfAnotherArchitectureIsOneLineNamingTheFirstMisfit() {
        Path file = FIXTURES.resolve("mobilenet_v3_small.pt");
        try (NDManager m = NDManager.newBaseManager()) {
            Network large = ModelRegistry.buildAndInit("mobilenetv3-large", 3, 10, 32, 32, m);
            assertThatThrownBy(() -> TorchvisionInit.load(file, large, "x.yaml: networks.s.init"))
                    .isInstanceOf(UserError.class)
                    .hasMessageStartingWith("x.yaml: networks.s.init: " + file + " is not a torchvision model of "
                            + "mobilenetv3-large: ")
                    .hasMessageEndingWith("234 of 266 tensors do not fit: the first, features.1.block.1.0.weight is "
                            + "missing from the file; and the file has 50 tensors mobilenetv3-large has no place for "
                            + "(the first: features.1.block.1.fc1.weight)");
            Network gray = ModelRegistry.buildAndInit("mobilenetv3-small", 1, 10, 32, 32, m);
            assertThatThrownBy(() -> TorchvisionInit.load(file, gray, "x.yaml: networks.s.init"))
                    .isInstanceOf(UserError.class)
                    .hasMessage("x.yaml: networks.s.init: " + file + " is not a torchvision model of mobilenetv3-small: "
                            + "1 of 210 tensors do not fit: the first, features.0.0.weight is (16, 3, 3, 3) in the "
                            + "file and (16, 1, 3, 3) in mobilenetv3-small");
            Network resnet = ModelRegistry.buildAndInit("resnet8", 3, 10, 32, 32, m);
            assertThatThrownBy(() -> TorchvisionInit.load(file, resnet, "x.yaml: networks.s.init"))
                    .isInstanceOf(UserError.class)
                    .hasMessage("x.yaml: networks.s.init: " + file + " is a PyTorch archive, which distill4j maps onto "
                            + TorchvisionNames.SUPPORTED + " only, not resnet8 (a distill4j checkpoint starts any "
                            + "architecture)");
        }
    }

    /** The large fixtures of tools/check_torchvision_init.py, where it has written them. */
    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet34", "resnet50", "mobilenet_v3_large"})
    void largeTorchvisionModelsGivePyTorchsLogitsWhereTheToolWroteThem(String model) throws IOException {
        String dir = System.getenv("DISTILL4J_TORCHVISION_FIXTURES");
        assumeTrue(dir != null && Files.isRegularFile(Path.of(dir, model + ".pt")),
                "DISTILL4J_TORCHVISION_FIXTURES has no " + model + ".pt (tools/check_torchvision_init.py)");
        JsonObject e = expected(Path.of(dir, model + "-expected.json"));
        String arch = model.startsWith("resnet") ? model + "-imagenet" : "mobilenetv3-large";
        int classes = e.getAsJsonObject("logits").getAsJsonArray("shape").get(1).getAsInt();
        JsonObject in = e.getAsJsonObject("input");
        long[] inShape = shape(in.getAsJsonArray("shape"));
        try (NDManager m = NDManager.newBaseManager()) {
            Network net = mapped(Path.of(dir, model + ".pt"), arch, classes, (int) inShape[2], m);
            float[] got = logits(net, floats(in.getAsJsonArray("data")), inShape, m);
            long pool = (inShape[2] / 32) * (inShape[3] / 32);
            long seArea = (inShape[2] / 8) * (inShape[3] / 8); // the first squeeze-excitation: stride 8
            assertPyTorchsLogits(net, got, floats(e.getAsJsonObject("logits").getAsJsonArray("data")), classes, pool,
                    seArea);
        }
    }
}
