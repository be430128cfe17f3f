package io.distill4j.runtime;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.distill4j.FloatBounds;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Expected values: torch.optim.SGD in PyTorch 1.13, from tools/reference_values.py. Both are float32 evaluations of
 * the same elementwise recurrence (no reductions), each within a running error bound of the exact one
 * ({@link #simulate}); they differ by at most the sum of the two.
 */
class SgdTest {
    /**
     * A value computed in float32 and a bound on its distance to the exact value of the same recurrence (running
     * error analysis: each operation adds its inputs' bounds, scaled, and u times its result).
     */
    record Tracked(double v, double e) {
        Tracked times(double c) {
            double value = c * v;
            double err = Math.abs(c) * e;
            return new Tracked(value, err + FloatBounds.U * (Math.abs(value) + err));
        }

        Tracked plus(Tracked o) {
            double value = v + o.v;
            double err = e + o.e;
            return new Tracked(value, err + FloatBounds.U * (Math.abs(value) + err));
        }
    }

    /**
     * The recurrence of {@link Sgd#step} and of torch.optim.SGD (d = g + wd w; b = momentum b + d; nesterov:
     * d = d + momentum b, else d = b; w = w - lr d), exact in double with the constants as the float32 values both
     * use, each operation rounded once (PyTorch's fused a + alpha b rounds once instead of twice: within the same
     * bound). Returns [step][element].
     */
    static Tracked[][] simulate(float[] w0, float[][] grads, double[] lrs, double momentum, double wd, boolean nesterov) {
        double mom = (float) momentum;
        double decay = (float) wd;
        Tracked[] w = new Tracked[w0.length];
        Tracked[] b = new Tracked[w0.length];
        for (int i = 0; i < w0.length; i++) {
            w[i] = new Tracked(w0[i], 0);
            b[i] = new Tracked(0, 0);
        }
        Tracked[][] out = new Tracked[grads.length][];
        for (int s = 0; s < grads.length; s++) {
            double lr = (float) lrs[s];
            for (int i = 0; i < w0.length; i++) {
                Tracked d = new Tracked(grads[s][i], 0).plus(w[i].times(decay));
                b[i] = b[i].times(mom).plus(d);
                d = nesterov ? d.plus(b[i].times(mom)) : b[i];
                w[i] = w[i].plus(d.times(-lr));
            }
            out[s] = w.clone();
        }
        return out;
    }

    private static Parameter param(NDManager m, float[] values, long... shape) {
        NDArray a = m.create(values, new Shape(shape));
        a.setRequiresGradient(true);
        return Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).optArray(a).build();
    }

    /** Sets the gradient of w to g by back-propagating sum(w * g). */
    private static void setGradient(Parameter p, float[] g) {
        NDArray w = p.getArray();
        try (NDManager s = w.getManager().newSubManager();
             GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray gg = s.create(g, w.getShape());
            gc.backward(w.mul(gg).sum());
        }
    }

    @Test
    void nesterovWithWeightDecayMatchesPyTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = param(m, new float[] {0.5f, -1f, 2f, 0f, 0.25f, -0.75f}, 2, 3);
            Sgd sgd = new Sgd(List.of(p), m, 0.9, 5e-4, true);
            float[][] grads = {{0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f}, {-0.3f, 0.1f, 0f, 0.2f, 0.2f, -0.1f},
                    {0.05f, 0.05f, -0.4f, 0f, -0.3f, 0.25f}};
            double[] lrs = {0.1, 0.05, 0.02};
            float[][] expected = {
                    {4.80952501e-01f, -9.61905003e-01f, 1.94280994e+00f, -7.59999976e-02f, 3.44976246e-01f, -8.63928735e-01f},
                    {5.05369544e-01f, -9.63239074e-01f, 1.93052721e+00f, -1.11196384e-01f, 3.46204787e-01f, -8.78672540e-01f},
                    {5.06854415e-01f, -9.63809669e-01f, 1.94128621e+00f, -1.20265655e-01f, 3.61643583e-01f, -8.95271361e-01f}};
            Tracked[][] exact = simulate(new float[] {0.5f, -1f, 2f, 0f, 0.25f, -0.75f}, grads, lrs, 0.9, 5e-4, true);
            for (int s = 0; s < 3; s++) {
                setGradient(p, grads[s]);
                sgd.step(lrs[s], Set.of());
                float[] w = p.getArray().toFloatArray();
                for (int i = 0; i < w.length; i++) {
                    double bound = 2 * exact[s][i].e(); // ours and PyTorch's
                    assertThat((double) w[i]).as("step %d, element %d (bound %.3g)", s, i, bound)
                            .isCloseTo(expected[s][i], within(bound));
                }
            }
        }
    }

    @Test
    void plainMomentumMatchesPyTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = param(m, new float[] {1f, -2f}, 2);
            Sgd sgd = new Sgd(List.of(p), m, 0.9, 0, false);
            // against the decimal answers (lr 0.1 and momentum 0.9 exactly): our float32 recurrence's running
            // bound, plus what storing 0.1 and 0.9 as floats changes (the same recurrence in double with each)
            float[][] grads = {{0.5f, 0.5f}, {-1f, 0.25f}};
            double[][] decimal = {{0.95, -2.05}, {1.005, -2.12}};
            Tracked[][] exact = simulate(new float[] {1f, -2f}, grads, new double[] {0.1, 0.1}, 0.9, 0, false);
            for (int s = 0; s < 2; s++) {
                setGradient(p, grads[s]);
                sgd.step(0.1, Set.of());
                float[] w = p.getArray().toFloatArray();
                for (int i = 0; i < 2; i++) {
                    double bound = exact[s][i].e() + Math.abs(exact[s][i].v() - decimal[s][i]) * 1.01;
                    assertThat((double) w[i]).as("step %d, element %d (bound %.3g)", s, i, bound)
                            .isCloseTo(decimal[s][i], within(bound));
                }
            }
        }
    }

    @Test
    void gradientsAreClearedAfterAStep() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = param(m, new float[] {1f, 2f}, 2);
            Sgd sgd = new Sgd(List.of(p), m, 0.9, 0, true);
            setGradient(p, new float[] {1f, 1f});
            sgd.step(0.1, Set.of());
            assertThat(p.getArray().getGradient().toFloatArray()).containsExactly(0f, 0f);
        }
    }

    @Test
    void skippedParametersAreLeftAlone() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter a = param(m, new float[] {1f, 2f}, 2);
            Parameter b = param(m, new float[] {3f, 4f}, 2);
            Sgd sgd = new Sgd(List.of(a, b), m, 0.9, 5e-4, true);
            setGradient(a, new float[] {1f, 1f});
            setGradient(b, new float[] {0f, 0f}); // zero gradient, as a switched-off branch gets
            sgd.step(0.1, Set.of(b));
            assertThat(b.getArray().toFloatArray()).containsExactly(3f, 4f);
            assertThat(a.getArray().toFloatArray()[0]).isLessThan(1f);
            assertThat(sgd.state().get(1).toFloatArray()).containsExactly(0f, 0f); // no momentum either
        }
    }
}
