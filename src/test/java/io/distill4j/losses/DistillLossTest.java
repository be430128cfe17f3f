package io.distill4j.losses;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.distill4j.FloatBounds;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Expected values: torch.nn.functional.kl_div(log_softmax(s/T), softmax(t/T), reduction='batchmean') * T^2
 * and friends, PyTorch 1.13, from tools/reference_values.py. Both sides are float32 evaluations of the same
 * function of the same logits, in other operations and orders: each is within the evaluation bound of
 * {@link FloatBounds} (reductions of 4 classes and 3 samples, log-softmax and exp), so they differ by at most twice
 * that; two distill4j evaluations of one quantity likewise.
 */
class DistillLossTest {
    private static final float[] S = {1, 2, 0.5f, -1, 0, 0, 0, 0, 3, -2, 1, 0};
    private static final float[] T = {2, 1, 0, -0.5f, 1, 2, 3, 4, 0, 0, 0, 0};

    @Test
    void klMatchesPyTorchAtSeveralTemperatures() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(S, new Shape(3, 4));
            NDArray t = m.create(T, new Shape(3, 4));
            float[] expected = {7.14776933e-01f, 8.20884049e-01f, 8.44117284e-01f, 8.51665974e-01f}; // T 1 to 4
            for (int temp = 1; temp <= 4; temp++) { // T 3: DLB's
                assertThat((double) DistillLoss.kl(t, s, temp).getFloat()).as("T %d", temp)
                        .isCloseTo(expected[temp - 1], within(2 * FloatBounds.kl(T, S, 4, temp)));
            }
            // the same from probabilities (their log within the same bound as a log-softmax: FloatBounds.kl)
            for (double temp : new double[] {1, 2, 4}) {
                NDArray q = t.div((float) temp).softmax(1);
                assertThat((double) DistillLoss.klToProbs(q, s, temp).getFloat())
                        .isCloseTo(DistillLoss.kl(t, s, temp).getFloat(), within(2 * FloatBounds.kl(T, S, 4, temp)));
            }
        }
    }

    @Test
    void confidentAndUniformDistributionsStayFinite() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] tcv = {60, -60, 0, 0, 0, 0, 80, -80};
            float[] scv = {-50, 50, 0, 0, 0, 0, 0, 0};
            NDArray tc = m.create(tcv, new Shape(2, 4));
            NDArray sc = m.create(scv, new Shape(2, 4));
            // log-probabilities down to -160: their rounding (3 u |l|) is what the bound is made of
            assertThat((double) DistillLoss.kl(tc, sc, 1).getFloat())
                    .isCloseTo(5.06931458e+01f, within(2 * FloatBounds.kl(tcv, scv, 4, 1)));
            assertThat((double) DistillLoss.kl(tc, sc, 4).getFloat())
                    .isCloseTo(2.11090271e+02f, within(2 * FloatBounds.kl(tcv, scv, 4, 4)));
            NDArray oneHot = m.create(new float[] {1, 0, 0, 0, 0, 0, 1, 0}, new Shape(2, 4));
            float fromProbs = DistillLoss.klToProbs(oneHot, sc, 1).getFloat();
            assertThat(fromProbs).isFinite();
            NDArray u = m.zeros(new Shape(2, 4));
            // exact: both sides are the same log-softmax of the same values, so every log q - log p is 0
            assertThat(DistillLoss.kl(u, u, 1).getFloat()).isZero();
            // the log of a softmax against a log-softmax (other kernels): 0 within one evaluation's bound
            float[] zeros = new float[8];
            assertThat((double) DistillLoss.klToProbs(u.softmax(1), u, 3).getFloat())
                    .isCloseTo(0, within(FloatBounds.kl(zeros, zeros, 4, 3)));
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
            float[] got = s.getGradient().toFloatArray();
            double[] bound = FloatBounds.klGradient(T, S, 4, 2);
            for (int i = 0; i < got.length; i++) {
                assertThat((double) got[i]).as("d/ds %d", i).isCloseTo(expected[i], within(2 * bound[i]));
            }
            assertThat(t.getGradient().abs().sum().getFloat()).isZero();
        }
    }

    @Test
    void softAndHardCrossEntropyMatchPyTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(S, new Shape(3, 4));
            NDArray q = m.create(T, new Shape(3, 4)).softmax(1);
            assertThat((double) DistillLoss.softCrossEntropy(q, s, 1).getFloat())
                    .isCloseTo(1.82372570f, within(2 * FloatBounds.softCrossEntropy(T, S, 4, 1)));
            long[] labels = {1, 3, 0};
            NDArray y = m.create(labels);
            assertThat((double) DistillLoss.crossEntropy(s, y).getFloat())
                    .isCloseTo(0.685663879f, within(2 * FloatBounds.crossEntropy(S, labels, 4)));
        }
    }
}
