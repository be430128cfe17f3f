package io.distill4j.losses;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Expected values: torch.nn.functional.kl_div(log_softmax(s/T), softmax(t/T), reduction='batchmean') * T^2
 * and friends, PyTorch 1.13, from tools/reference_values.py.
 */
class DistillLossTest {
    private static final float[] S = {1, 2, 0.5f, -1, 0, 0, 0, 0, 3, -2, 1, 0};
    private static final float[] T = {2, 1, 0, -0.5f, 1, 2, 3, 4, 0, 0, 0, 0};

    @Test
    void klMatchesPyTorchAtSeveralTemperatures() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(S, new Shape(3, 4));
            NDArray t = m.create(T, new Shape(3, 4));
            assertThat(DistillLoss.kl(t, s, 1).getFloat()).isCloseTo(7.14776933e-01f, within(1e-6f));
            assertThat(DistillLoss.kl(t, s, 2).getFloat()).isCloseTo(8.20884049e-01f, within(1e-6f));
            assertThat(DistillLoss.kl(t, s, 3).getFloat()).isCloseTo(8.44117284e-01f, within(1e-6f)); // DLB's T
            assertThat(DistillLoss.kl(t, s, 4).getFloat()).isCloseTo(8.51665974e-01f, within(1e-6f));
            // the same from probabilities
            for (double temp : new double[] {1, 2, 4}) {
                NDArray q = t.div((float) temp).softmax(1);
                assertThat(DistillLoss.klToProbs(q, s, temp).getFloat())
                        .isCloseTo(DistillLoss.kl(t, s, temp).getFloat(), within(1e-5f));
            }
        }
    }

    @Test
    void confidentAndUniformDistributionsStayFinite() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray tc = m.create(new float[] {60, -60, 0, 0, 0, 0, 80, -80}, new Shape(2, 4));
            NDArray sc = m.create(new float[] {-50, 50, 0, 0, 0, 0, 0, 0}, new Shape(2, 4));
            assertThat(DistillLoss.kl(tc, sc, 1).getFloat()).isCloseTo(5.06931458e+01f, within(1e-3f));
            assertThat(DistillLoss.kl(tc, sc, 4).getFloat()).isCloseTo(2.11090271e+02f, within(1e-2f));
            NDArray oneHot = m.create(new float[] {1, 0, 0, 0, 0, 0, 1, 0}, new Shape(2, 4));
            float fromProbs = DistillLoss.klToProbs(oneHot, sc, 1).getFloat();
            assertThat(fromProbs).isFinite();
            NDArray u = m.zeros(new Shape(2, 4));
            assertThat(DistillLoss.kl(u, u, 1).getFloat()).isCloseTo(0f, within(1e-7f));
            assertThat(DistillLoss.klToProbs(u.softmax(1), u, 3).getFloat()).isCloseTo(0f, within(1e-6f));
        }
    }

    @Test
    void gradientMatchesPyTorchAndTargetGetsNone() {
        float[] expected = {-1.19214751e-01f, 1.10754602e-01f, 2.83221621e-02f, -1.98620427e-02f, 9.89757851e-02f,
                5.50632700e-02f, -1.73362345e-02f, -1.36702821e-01f, 2.31796503e-01f, -1.33958817e-01f,
                -2.00802684e-02f, -7.77575225e-02f};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(S, new Shape(3, 4));
            NDArray t = m.create(T, new Shape(3, 4));
            s.setRequiresGradient(true);
            t.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(DistillLoss.kl(t, s, 2));
            }
            assertThat(s.getGradient().toFloatArray()).containsExactly(expected, within(1e-6f));
            assertThat(t.getGradient().abs().sum().getFloat()).isZero();
        }
    }

    @Test
    void softAndHardCrossEntropyMatchPyTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(S, new Shape(3, 4));
            NDArray q = m.create(T, new Shape(3, 4)).softmax(1);
            assertThat(DistillLoss.softCrossEntropy(q, s, 1).getFloat()).isCloseTo(1.82372570f, within(1e-6f));
            NDArray y = m.create(new long[] {1, 3, 0});
            assertThat(DistillLoss.crossEntropy(s, y).getFloat()).isCloseTo(0.685663879f, within(1e-6f));
        }
    }
}
