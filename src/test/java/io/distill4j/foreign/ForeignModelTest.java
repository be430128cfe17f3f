package io.distill4j.foreign;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.FloatBounds;
import io.distill4j.util.HostArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Models from elsewhere give PyTorch's own logits: small networks that are none of distill4j's architectures,
 * saved by PyTorch 1.13 as TorchScript and exported to ONNX ({@code tools/make_foreign_teachers.py}), run here by
 * DJL's libtorch and by ONNX Runtime on the inputs PyTorch ran them on; and the adapter from a student's batch to
 * another input contract matches a resize, colour conversion and normalisation written out in this test.
 */
class ForeignModelTest {
    static final Path FIXTURES = Path.of("src/test/resources/io/distill4j/teachers");

    static JsonObject expected(String network) throws IOException {
        return JsonParser.parseString(Files.readString(FIXTURES.resolve("expected.json"))).getAsJsonObject()
                .getAsJsonObject("networks").getAsJsonObject(network);
    }

    static float[] floats(JsonArray a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = a.get(i).getAsFloat();
        }
        return f;
    }

    static long[] shape(JsonArray a) {
        long[] s = new long[a.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = a.get(i).getAsLong();
        }
        return s;
    }

    /**
     * The forward-error bound of the tiny networks (tools/make_foreign_teachers.py: conv3x3 of the input's channels
     * to 8, BatchNorm, ReLU; a depthwise conv3x3, BatchNorm, ReLU, max-pool 2; conv3x3 8 to 16, BatchNorm, ReLU; the
     * average of the 10x10 (colour, 20x20 input) or 14x14 (gray, 28x28) map; linear 16 to 10), relative to a
     * sample's largest logit ({@link FloatBounds#network}): libtorch, ONNX Runtime (BatchNorm folded) and PyTorch
     * 1.13's reference each within it, so any two within twice it.
     */
    static double tinyBound(String network) {
        boolean colour = network.equals("tiny-color");
        return FloatBounds.network(10, 9 * (colour ? 3 : 1), 9, 72) + FloatBounds.network(0, colour ? 100 : 196, 16);
    }

    static void assertLogits(float[] got, float[] want, String network, String what) {
        double[] bound = FloatBounds.perSample(got, want, 10, tinyBound(network));
        for (int i = 0; i < want.length; i++) {
            assertThat((double) got[i]).as("%s logit %d (bound %.3g)", what, i, bound[i])
                    .isCloseTo(want[i], within(bound[i]));
        }
    }

    @ParameterizedTest
    @CsvSource({"tiny-color, torchscript", "tiny-color, onnx", "tiny-gray, torchscript", "tiny-gray, onnx"})
    void logitsEqualPyTorchsOwn(String network, String kind) throws IOException {
        JsonObject e = expected(network);
        Path file = FIXTURES.resolve(e.get(kind).getAsString());
        try (ForeignModel model = ModelFiles.open(file, 1, Device.cpu()); NDManager m = NDManager.newBaseManager()) {
            assertThat(model.runtime()).isEqualTo(kind.equals("onnx") ? "onnxruntime" : "torchscript");
            JsonObject in = e.getAsJsonObject("input");
            NDArray x = HostArrays.floats(m, floats(in.getAsJsonArray("data")), new Shape(shape(in.getAsJsonArray("shape"))));
            NDArray z = model.forward(x);
            float[] want = floats(e.getAsJsonObject("logits").getAsJsonArray("data"));
            assertThat(z.getShape().getShape()).containsExactly(shape(e.getAsJsonObject("logits").getAsJsonArray("shape")));
            assertLogits(z.toFloatArray(), want, network, network + " " + kind);
        }
    }

    /** A TorchScript file saved with its tensors on a CUDA GPU loads onto the device asked for (here the CPU). */
    @Test
    void aTorchScriptFileSavedOnAGpuLoadsOntoTheCpuWithTheSameLogits() throws IOException {
        JsonObject e = expected("tiny-gray");
        try (ForeignModel model = ModelFiles.open(FIXTURES.resolve("cuda-saved.pt"), 1, Device.cpu());
             NDManager m = NDManager.newBaseManager()) {
            JsonObject in = e.getAsJsonObject("input");
            NDArray x = HostArrays.floats(m, floats(in.getAsJsonArray("data")), new Shape(shape(in.getAsJsonArray("shape"))));
            assertLogits(model.forward(x).toFloatArray(), floats(e.getAsJsonObject("logits").getAsJsonArray("data")),
                    "tiny-gray", "cuda-saved.pt");
        }
    }

    /**
     * Antialiased bilinear resize of one plane, separable (rows, then columns): output pixel i takes the input pixels
     * around its centre {@code (i + 0.5) * scale} with triangle weights {@code max(0, 1 - |d| / max(scale, 1))},
     * normalised (PIL's and PyTorch's {@code interpolate(..., antialias=True)} filter; plain bilinear when enlarging).
     */
    static float[] bilinear(float[] src, int h, int w, int oh, int ow) {
        double[][] wy = weights(h, oh);
        double[][] wx = weights(w, ow);
        double[] rows = new double[h * ow];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < ow; x++) {
                double sum = 0;
                for (int j = 0; j < w; j++) {
                    sum += wx[x][j] * src[y * w + j];
                }
                rows[y * ow + x] = sum;
            }
        }
        float[] out = new float[oh * ow];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                double sum = 0;
                for (int j = 0; j < h; j++) {
                    sum += wy[y][j] * rows[j * ow + x];
                }
                out[y * ow + x] = (float) sum;
            }
        }
        return out;
    }

    /** weights[i][j]: the weight of input j in output i. */
    static double[][] weights(int in, int out) {
        double scale = (double) in / out;
        double support = Math.max(scale, 1);
        double[][] wt = new double[out][in];
        for (int i = 0; i < out; i++) {
            double centre = (i + 0.5) * scale;
            double total = 0;
            for (int j = 0; j < in; j++) {
                double d = (j + 0.5 - centre) / support;
                wt[i][j] = Math.max(0, 1 - Math.abs(d));
                total += wt[i][j];
            }
            for (int j = 0; j < in; j++) {
                wt[i][j] /= total;
            }
        }
        return wt;
    }

    @Test
    void aGrayStudentsBatchIsAdaptedToAColourTeacherOfAnotherSize() {
        int n = 3;
        float sMean = 0.286f;
        float sStd = 0.353f;
        float[] tMean = {0.5f, 0.4f, 0.3f};
        float[] tStd = {0.2f, 0.25f, 0.3f};
        ModelContract to = new ModelContract(3, 20, 20, tMean, tStd, false, null);
        InputAdapter adapter = new InputAdapter(1, 28, 28, new float[] {sMean}, new float[] {sStd}, to);
        assertThat(adapter.isIdentity()).isFalse();
        SplittableRandom r = new SplittableRandom(5);
        float[] pixels = new float[n * 28 * 28];
        float[] normalised = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) r.nextDouble();
            normalised[i] = (pixels[i] - sMean) / sStd;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            float[] got = adapter.adapt(HostArrays.floats(m, normalised, new Shape(n, 1, 28, 28))).toFloatArray();
            assertThat(got).hasSize(n * 3 * 20 * 20);
            for (int s = 0; s < n; s++) {
                float[] plane = Arrays.copyOfRange(pixels, s * 784, (s + 1) * 784);
                float[] resized = bilinear(plane, 28, 28, 20, 20);
                for (int c = 0; c < 3; c++) {
                    for (int i = 0; i < 400; i++) {
                        // the pixel recovered from its normalised form, x * std + mean (4 u of |p| + mean: the
                        // normalisation's two roundings and these two); the antialiased resize, a weighted mean of
                        // about 3 x 3 pixels in two passes with float weights (24 u of the pixels' weighted sum, the
                        // weights being >= 0 and summing to 1; the reference in double, cast: u); the normalisation
                        // to the teacher's statistics (2 u of the result, on both sides)
                        float want = (resized[i] - tMean[c]) / tStd[c];
                        double bound = FloatBounds.U * ((4 * (resized[i] + sMean) + 25 * resized[i]) / tStd[c]
                                + 4 * Math.abs(want));
                        assertThat((double) got[(s * 3 + c) * 400 + i]).as("sample %d channel %d pixel %d", s, c, i)
                                .isCloseTo(want, within(bound));
                    }
                }
            }
        }
    }

    @Test
    void aColourBatchBecomesGrayByLuminanceAndAModelThatNormalisesItselfGetsPixels() {
        float[] mean = {0.1f, 0.2f, 0.3f};
        float[] std = {0.5f, 0.6f, 0.7f};
        ModelContract to = new ModelContract(1, 4, 4, new float[] {0f}, new float[] {1f}, true, List.of());
        InputAdapter adapter = new InputAdapter(3, 4, 4, mean, std, to);
        float[] pixels = new float[3 * 16];
        float[] normalised = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (i % 7) / 7f;
            normalised[i] = (pixels[i] - mean[i / 16]) / std[i / 16];
        }
        try (NDManager m = NDManager.newBaseManager()) {
            float[] got = adapter.adapt(HostArrays.floats(m, normalised, new Shape(1, 3, 4, 4))).toFloatArray();
            float[] w = {0.299f, 0.587f, 0.114f};
            for (int i = 0; i < 16; i++) {
                // each pixel recovered as x * std + mean within 4 u (|p| + mean); the weighted sum of 3 here and in
                // libtorch (the products and the sum: gamma(3) each)
                float want = 0.299f * pixels[i] + 0.587f * pixels[16 + i] + 0.114f * pixels[32 + i];
                double bound = 0;
                for (int c = 0; c < 3; c++) {
                    bound += w[c] * (4 * FloatBounds.U * (pixels[16 * c + i] + mean[c])
                            + 2 * FloatBounds.gamma(3) * pixels[16 * c + i]);
                }
                assertThat((double) got[i]).isCloseTo(want, within(bound));
            }
        }
    }

    @Test
    void theSameContractIsNoAdaptationAtAll() {
        float[] mean = {0.286f};
        float[] std = {0.353f};
        InputAdapter adapter = new InputAdapter(1, 28, 28, mean, std,
                new ModelContract(1, 28, 28, mean, std, false, null));
        assertThat(adapter.isIdentity()).isTrue();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(2, 1, 28, 28));
            assertThat(adapter.adapt(x)).isSameAs(x);
        }
    }
}
