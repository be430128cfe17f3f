package io.distill4j.export;

import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.util.Pair;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.distill4j.FloatBounds;
import io.distill4j.inference.Classifier;
import io.distill4j.inference.Prediction;
import io.distill4j.runtime.Net;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Every family of the zoo, small, with random weights and random BatchNorm statistics (so that inference-form
 * BatchNorm, padding, strides and groups all matter): exported to ONNX and run in ONNX Runtime, exported to a DJL
 * folder and loaded with plain DJL code; the logits must equal distill4j's own forward pass (the network on
 * inputs normalised in Java, as training and evaluation feed it): bit for bit in DJL (the same libtorch kernels on
 * the same values: the block's normalisation is the same two IEEE operations as Java's), and in ONNX Runtime (other
 * kernels, other summation orders) within the network's forward-error bound ({@link FloatBounds#network}).
 */
class ExportRoundTripTest {
    @TempDir
    Path dir;

    /** Architecture, OKDCR-style head (or null), channels, image side. */
    record Case(String arch, String head, int channels, int side) {}

    static final List<Case> CASES = List.of(
            new Case("resnet8", null, 1, 12),            // CIFAR ResNet: basic blocks, projection shortcuts
            new Case("resnet8x2", "linear-32-5", 3, 8),  // wider stem; logits from a second head on the features
            new Case("wrn-10-2", null, 3, 8),            // pre-activation blocks, bare conv shortcuts
            new Case("mobilenetv2x0.25", null, 3, 8),    // grouped (depthwise) convs, ReLU6, inverted residuals
            new Case("vgg8", null, 1, 16),               // max-pooling
            new Case("resnet18-imagenet", null, 3, 32),  // 7x7 stride-2 stem, padded 3x3 max-pool
            new Case("resnet50-cifar", null, 3, 8),      // bottlenecks
            new Case("mobilenetv3-small-cifar", null, 3, 16), // squeeze-excitation, hard-swish, pre-logits
            new Case("mobilenetv3-large", null, 3, 32)); // ImageNet strides

    static final int CLASSES = 5;

    @Test
    void everyArchitectureGivesTheSameLogitsInOnnxRuntimeAndInDjl() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (Case c : CASES) {
            int n = 3;
            try (NDManager manager = NDManager.newBaseManager()) {
                float[] mean = new float[c.channels()];
                float[] std = new float[c.channels()];
                Random rnd = new Random(c.arch().hashCode());
                for (int i = 0; i < c.channels(); i++) {
                    mean[i] = 0.2f + 0.3f * rnd.nextFloat();
                    std[i] = 0.2f + 0.2f * rnd.nextFloat();
                }
                ClassifierBlock block = new ClassifierBlock(c.arch(), c.head(), c.channels(), CLASSES, mean, std)
                        .allocate(manager, c.channels(), c.side(), c.side());
                randomise(block, rnd);
                float[] pixels = new float[n * c.channels() * c.side() * c.side()];
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = rnd.nextInt(256) / 255f;
                }
                float[] own = ownLogits(block, pixels, n, c, mean, std, manager);
                float scale = 0;
                for (float v : own) {
                    scale = Math.max(scale, Math.abs(v));
                }
                assertThat(scale).as("%s: logits of a useful size", c.arch()).isBetween(0.05f, 1000f);
                // ONNX Runtime against libtorch: each within the network's forward-error bound, relative to the
                // sample's largest logit (reduction lengths from the block's weights; BatchNorm folded on export)
                double g = FloatBounds.network(block, (long) c.side() * c.side());
                ModelCard card = card(c, mean, std);

                byte[] onnx = OnnxWriter.write(block, card);
                try (OrtSession s = env.createSession(onnx);
                     OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels),
                             new long[] {n, c.channels(), c.side(), c.side()});
                     OrtSession.Result r = s.run(Map.of("input", x))) {
                    float[] logits = flatten((float[][]) r.get(0).getValue());
                    assertClose(logits, own, FloatBounds.perSample(logits, own, CLASSES, g), c.arch() + " in ONNX Runtime");
                    assertThat(s.getMetadata().getCustomMetadata()).containsEntry("arch", c.arch())
                            .containsKey("class_names").containsKey("config");
                }

                Path djl = dir.resolve(c.arch());
                Exporter.export(block, card, Exporter.Format.DJL, djl, false);
                try (ZooModel<NDList, NDList> m = Criteria.builder().setTypes(NDList.class, NDList.class)
                        .optModelPath(djl).optTranslator(new NoopTranslator(null)).build().loadModel();
                     var p = m.newPredictor();
                     NDManager in = NDManager.newBaseManager()) {
                    NDList out = p.predict(new NDList(in.create(pixels, new Shape(n, c.channels(), c.side(),
                            c.side()))));
                    assertThat(out.get(0).toFloatArray()).as(c.arch() + " in DJL").containsExactly(own);
                }
            }
        }
    }

    /**
     * The DJL folder through DJL's own image pipeline (serving.properties: translator, size, gray or colour,
     * softmax, class names) gives the probabilities the Classifier API gives the same image, gray and colour.
     */
    @Test
    void djlsImageTranslatorAgreesWithTheClassifierApi() throws Exception {
        for (Case c : List.of(CASES.get(0), CASES.get(2))) {
            Path out = dir.resolve("img-" + c.arch());
            try (NDManager manager = NDManager.newBaseManager()) {
                float[] mean = c.channels() == 1 ? new float[] {0.3f} : new float[] {0.4f, 0.5f, 0.45f};
                float[] std = c.channels() == 1 ? new float[] {0.35f} : new float[] {0.25f, 0.2f, 0.3f};
                ClassifierBlock block = new ClassifierBlock(c.arch(), null, c.channels(), CLASSES, mean, std)
                        .allocate(manager, c.channels(), c.side(), c.side());
                randomise(block, new Random(7));
                Exporter.export(block, card(c, mean, std), Exporter.Format.DJL, out, false);
            }
            Random rnd = new Random(3);
            BufferedImage img = new BufferedImage(c.side(), c.side(),
                    c.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < c.side(); y++) {
                for (int x = 0; x < c.side(); x++) {
                    if (c.channels() == 1) {
                        img.getRaster().setSample(x, y, 0, rnd.nextInt(256));
                    } else {
                        img.setRGB(x, y, rnd.nextInt(1 << 24));
                    }
                }
            }
            Classifications djl;
            try (ZooModel<Image, Classifications> m = Criteria.builder().setTypes(Image.class, Classifications.class)
                    .optModelPath(out).build().loadModel();
                 var p = m.newPredictor()) {
                djl = p.predict(ImageFactory.getInstance().fromImage(img));
            }
            try (Classifier classifier = Classifier.load(out)) {
                assertThat(classifier.runtime()).isEqualTo("djl");
                List<Prediction> ours = classifier.classify(img, CLASSES);
                for (Prediction p : ours) {
                    // the same logits (same block, kernels and input: DJL's ToTensor divides by 255 as ImagePixels
                    // does); the softmax differs: DJL's in libtorch (exp, a sum of k, a division: (k + 5) u relative),
                    // the Classifier's in Java (logit - max rounded in float: u |z_c - m| <= u (-log p_c), and
                    // sum_i p_i u |z_i - m| <= u log k through the sum; the rest in double, cast: u)
                    double bound = p.probability() * FloatBounds.U
                            * (CLASSES + 7 + 2 * (-Math.log(p.probability()) + Math.log(CLASSES)));
                    assertThat(djl.get(p.className()).getProbability()).as("%s %s", c.arch(), p.className())
                            .isCloseTo(p.probability(), within(bound));
                }
                assertThat(djl.best().getClassName()).isEqualTo(ours.get(0).className());
            }
        }
    }

    /** distill4j's forward pass as evaluation runs it: normalised in Java, the network in inference mode. */
    private static float[] ownLogits(ClassifierBlock block, float[] pixels, int n, Case c, float[] mean, float[] std,
                                     NDManager manager) {
        int plane = c.side() * c.side();
        float[] x = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            int ch = (i / plane) % c.channels();
            x[i] = (pixels[i] - mean[ch]) / std[ch];
        }
        try (NDManager m = manager.newSubManager()) {
            NDArray input = m.create(x, new Shape(n, c.channels(), c.side(), c.side()));
            NDList out = new Net("student", block.network(), manager, null).forward(input, false);
            if (block.head() == null) {
                return out.get(0).toFloatArray();
            }
            return new Net("student.c2", block.head(), manager, null).logits(out.get(1), false).toFloatArray();
        }
    }

    /** Weights scaled by fan-in, BatchNorm's gamma, beta and running statistics away from 1 and 0. */
    static void randomise(ClassifierBlock block, Random rnd) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray a = p.getValue().getArray();
            Shape s = a.getShape();
            float[] v = new float[(int) s.size()];
            String name = p.getKey();
            double fanIn = s.dimension() > 1 ? s.size() / s.get(0) : 1;
            for (int i = 0; i < v.length; i++) {
                double u = rnd.nextDouble();
                v[i] = (float) (name.endsWith("runningVar") ? 0.5 + u
                        : name.endsWith("gamma") ? 0.5 + u
                        : name.endsWith("runningMean") || name.endsWith("beta") || name.endsWith("bias") ? 0.4 * (u - 0.5)
                        : (2 * u - 1) * Math.sqrt(3.0 / fanIn));
            }
            a.set(v);
        }
    }

    static ModelCard card(Case c, float[] mean, float[] std) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < CLASSES; i++) {
            names.add("class " + i);
        }
        return new ModelCard(c.arch(), "student", c.head(), names, c.channels(), c.side(), c.side(), mean, std,
                "test", "baseline", "none", 0, "seed: 0\n");
    }

    private static float[] flatten(float[][] a) {
        float[] out = new float[a.length * a[0].length];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], 0, out, i * a[0].length, a[0].length);
        }
        return out;
    }

    private static void assertClose(float[] actual, float[] expected, double[] bound, String what) {
        assertThat(actual).as(what).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("%s, logit %d (bound %.3g)", what, i, bound[i])
                    .isCloseTo(expected[i], within(bound[i]));
        }
    }
}
