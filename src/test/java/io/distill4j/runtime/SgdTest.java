package io.distill4j.runtime;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Expected values: torch.optim.SGD in PyTorch 1.13, from tools/reference_values.py. */
class SgdTest {
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
            for (int s = 0; s < 3; s++) {
                setGradient(p, grads[s]);
                sgd.step(lrs[s], Set.of());
                float[] w = p.getArray().toFloatArray();
                for (int i = 0; i < w.length; i++) {
                    assertThat(w[i]).as("step %d, element %d", s, i).isCloseTo(expected[s][i], within(1e-6f));
                }
            }
        }
    }

    @Test
    void plainMomentumMatchesPyTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = param(m, new float[] {1f, -2f}, 2);
            Sgd sgd = new Sgd(List.of(p), m, 0.9, 0, false);
            setGradient(p, new float[] {0.5f, 0.5f});
            sgd.step(0.1, Set.of());
            assertThat(p.getArray().toFloatArray()).containsExactly(new float[] {0.95f, -2.05f}, within(1e-6f));
            setGradient(p, new float[] {-1f, 0.25f});
            sgd.step(0.1, Set.of());
            assertThat(p.getArray().toFloatArray()).containsExactly(new float[] {1.005f, -2.12f}, within(1e-6f));
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
