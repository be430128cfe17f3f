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
import io.distill4j.util.MemoryFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code train.channels_last} changes how activations sit in memory, not what a network computes: logits and
 * gradients match double precision as closely as the default layout's do, in training and in inference, for
 * grey and colour inputs; and the layout really is channels-last after the first layer.
 */
class ChannelsLastTest {
    @Test
    void theLayoutIsChannelsLastAfterTheFirstLayerAndStaysSo() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<Block> layers = List.of(Layers.conv(8, 3, 1), Layers.bn(), Layers.relu(), Layers.conv(16, 3, 2),
                    Layers.bn(), Layers.relu(), Layers.maxPool(3, 2, 1));
            Shape in = new Shape(4, 1, 12, 12);
            Shape s = in;
            for (Block b : layers) {
                b.initialize(m, DataType.FLOAT32, s);
                s = b.getOutputShapes(new Shape[] {s})[0];
            }
            NDArray x = m.randomNormal(in);
            NDArray plain = Scopes.chain(layers, new ParameterStore(m, false), new NDList(x), true, false)
                    .singletonOrThrow();
            NDArray last = Scopes.chain(layers, new ParameterStore(m, false), new NDList(x), true, true)
                    .singletonOrThrow();
            assertThat(MemoryFormat.isChannelsLast(plain)).isFalse();
            assertThat(MemoryFormat.isChannelsLast(last)).isTrue();
            assertThat(last.getShape()).isEqualTo(plain.getShape());
        }
    }

    /**
     * The float32 forward-error bound of {@code arch} on 8 images of 32x32, relative to the logits' magnitude
     * ({@link FloatBounds#network}: its convolutions' and linear layers' reductions, 10 u a layer), and in training
     * mode the batch statistics of each BatchNorm: a mean and a variance over at most 8 x 32 x 32 values each
     * (gamma(8193) on the normalised activations, one BatchNorm per weight tensor at most).
     */
    static double forwardBound(String arch, int channels, boolean training) {
        try (NDManager m = NDManager.newBaseManager()) {
            Network net = ModelRegistry.buildAndInit(arch, channels, 5, 32, 32, m);
            double g = FloatBounds.network(net, 32 * 32);
            if (training) {
                for (var p : net.getParameters()) {
                    if (p.getValue().getArray().getShape().dimension() >= 2) {
                        g += FloatBounds.gamma(8 * 32 * 32 + 1);
                    }
                }
            }
            return g;
        }
    }

    /**
     * Logits: in both layouts, in float32, against the same network in double precision, within the forward-error
     * bound ({@link #forwardBound}) of the largest logit (the double reference's own error is 2^-29 times smaller).
     * <p>
     * Gradients (every parameter's, concatenated): in double precision, channels-last against the default layout.
     * The float32 gradient has no bound that follows from the reductions alone: BatchNorm in training mode on 8
     * images amplifies rounding (measured: up to 0.8% in L2 in either layout, on an AVX-512 CPU), by a factor, the
     * gradient's condition number kappa, that belongs to the network and the data, not to the precision. If float32
     * resolves the gradient at all, kappa u32 < 1, and in double the two layouts then differ by at most
     * 2 kappa u64 < 2 u64 / u32 = 2^-28 in relative L2. A layout mistake (a wrong permutation) errs by 100%.
     */
    @ParameterizedTest
    @ValueSource(strings = {"resnet8", "wrn-16-2", "mobilenetv2x0.5", "vgg8"})
    void logitsAndGradientsMatchDoublePrecisionInBothLayouts(String arch) {
        for (int channels : new int[] {1, 3}) {
            for (boolean training : new boolean[] {true, false}) {
                Result reference = run(arch, channels, training, false, true);
                double g = forwardBound(arch, channels, training);
                for (boolean channelsLast : new boolean[] {false, true}) {
                    Result r = run(arch, channels, training, channelsLast, false);
                    String what = arch + ", " + channels + " channels, training " + training + ", channels-last "
                            + channelsLast;
                    double largest = 0;
                    for (float v : reference.logits) {
                        largest = Math.max(largest, Math.abs(v));
                    }
                    for (int i = 0; i < r.logits.length; i++) {
                        assertThat((double) r.logits[i]).as(what).isCloseTo(reference.logits[i],
                                within(g * largest));
                    }
                }
                Result last = run(arch, channels, training, true, true);
                String what = arch + ", " + channels + " channels, training " + training + ", double precision";
                assertThat(norm(last.gradient(), reference.gradient()) / norm(reference.gradient(), null)).as(what)
                        .isLessThan(0x1p-28);
            }
        }
    }

    private static Result run(String arch, int channels, boolean training, boolean channelsLast, boolean f64) {
        Engine.getInstance().setRandomSeed(7);
        try (NDManager m = NDManager.newBaseManager()) {
            Network net = ModelRegistry.buildAndInit(arch, channels, 5, 32, 32, m);
            NDArray x = m.randomNormal(new Shape(8, channels, 32, 32));
            if (f64) { // the same parameters and input in double precision
                Network wide = ModelRegistry.build(arch, channels, 5);
                wide.initialize(m, DataType.FLOAT64, new Shape(1, channels, 32, 32));
                var from = net.getParameters().values();
                var to = wide.getParameters().values();
                for (int i = 0; i < from.size(); i++) {
                    to.get(i).getArray().set(from.get(i).getArray().toType(DataType.FLOAT64, false).toByteBuffer());
                }
                net = wide;
                x = x.toType(DataType.FLOAT64, false);
            }
            net.setChannelsLast(channelsLast);
            List<Parameter> params = new ArrayList<>();
            for (var p : net.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    params.add(p.getValue());
                }
            }
            float[] logits;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = net.forward(new ParameterStore(m, false), new NDList(x), training).get(0);
                logits = out.toType(DataType.FLOAT32, false).toFloatArray();
                gc.backward(out.square().sum());
            }
            List<double[]> grads = new ArrayList<>(); // in the network's own precision
            for (Parameter p : params) {
                grads.add(p.getArray().getGradient().toType(DataType.FLOAT64, false).toDoubleArray());
            }
            return new Result(logits, grads);
        }
    }

    /** The L2 norm of a, or of a - b. */
    private static double norm(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = b == null ? a[i] : a[i] - b[i];
            sum += d * d;
        }
        return Math.sqrt(sum);
    }

    private record Result(float[] logits, List<double[]> grads) {
        double[] gradient() {
            int n = 0;
            for (double[] g : grads) {
                n += g.length;
            }
            double[] all = new double[n];
            int at = 0;
            for (double[] g : grads) {
                System.arraycopy(g, 0, all, at, g.length);
                at += g.length;
            }
            return all;
        }
    }
}
