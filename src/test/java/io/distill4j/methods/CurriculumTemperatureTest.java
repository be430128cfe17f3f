package io.distill4j.methods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.distill4j.FloatBounds;
import io.distill4j.config.OptimConfig;
import io.distill4j.losses.LogitLosses;
import io.distill4j.runtime.Optimizers;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * CTKD's learnable temperature ({@link CurriculumTemperature}) against the official code run in PyTorch
 * ({@code tools/reference_values.py}: its gradient reversal layer, {@code T = 1 + 20 sigmoid(theta)}, KD.py's
 * batchmean KL times T^2), the curriculum against the code's CosineDecay, and the reversal's exactness.
 */
class CurriculumTemperatureTest {
    private static final int K = 4;
    private static final float[] S2 = {1, 2, 0.5f, -1, 0.3f, -0.2f, 0.1f, 0.4f, 3, -2, 1, 0};
    private static final float[] T2 = {2, 1, 0, -0.5f, 1, 2, 3, 4, 0.2f, -0.4f, 0.1f, 0};
    private static final OptimConfig SGD = new OptimConfig(0.1, 0.9, false, 5e-4, "constant", List.of(), 0.1, 0);

    @Test
    void theCurriculumIsTheCodesCosineDecayNegated() {
        // the code: value(e) = (cos(e pi / loops) + 1) / 2 * (max - min) + min, max 0, min -1, loops 10, at the
        // 1-based epoch e; the gradient factor is value(e), here -lambda at 0-based epoch e - 1
        for (int e = 1; e <= 12; e++) {
            double code = (Math.cos(Math.min(e, 10) * Math.PI / 10) + 1) * 0.5 * (0 - (-1)) + (-1);
            double p = Warmup.weight(10, Warmup.By.EPOCH, e - 1, 0, 100);
            try (NDManager m = NDManager.newBaseManager()) {
                CurriculumTemperature t = temperature(m, 1, 1);
                assertThat(-t.lambda(p)).as("epoch %d", e).isCloseTo(code, within(1e-15));
            }
        }
    }

    @Test
    void temperatureLossAndReversedGradientMatchTheOfficialCode() {
        check(1.0, 0.5, 1.56211720e+01, 7.18231201e-01, -2.61186851e-05);
        check(-0.3, 1.0, 9.51115036e+00, 7.17682600e-01, -1.26085209e-03);
    }

    @Test
    void theReversalScalesThetasGradientOnlyAndLeavesTheStudentsAlone() {
        float[][] full = run(-0.3, 1.0);
        float[][] half = run(-0.3, 0.5);
        float[][] none = run(-0.3, 0.0);
        assertThat(half[0]).as("the temperature's forward does not depend on lambda").isEqualTo(full[0]);
        assertThat(Math.abs(none[1][0])).as("no reversal, no gradient").isEqualTo(0f);
        // theta's gradient is lambda times the same float: halving lambda halves it exactly
        assertThat(half[1][0]).isEqualTo(full[1][0] / 2);
        assertThat(half[2]).as("the student's gradient").isEqualTo(full[2]);
        assertThat(none[2]).isEqualTo(full[2]);
    }

    private static CurriculumTemperature temperature(NDManager m, double init, double lambdaMax) {
        return new CurriculumTemperature(m, new Optimizers(SGD), init, 1, 20, lambdaMax, 10, Warmup.By.EPOCH);
    }

    /** {T and the loss}, {theta's gradient}, {the student's gradient} for theta {@code init} and {@code lambda}. */
    private static float[][] run(double init, double lambda) {
        try (NDManager m = NDManager.newBaseManager()) {
            CurriculumTemperature ct = temperature(m, init, 1);
            NDArray s = m.create(S2, new Shape(3, K));
            NDArray t = m.create(T2, new Shape(3, K));
            s.setRequiresGradient(true);
            float[] values;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray temp = ct.temperature(lambda);
                NDArray l = LogitLosses.klAtTemperature(t, s, temp);
                values = new float[] {temp.getFloat(0), l.getFloat()};
                gc.backward(l);
            }
            NDArray theta = ct.net().block().getParameters().get("theta").getArray();
            return new float[][] {values, theta.getGradient().toFloatArray(), s.getGradient().toFloatArray()};
        }
    }

    /**
     * Against PyTorch. The tolerance: in double, dL/dT = mean_i [2 T KL_i + T^2 sum_c (q_c dlq_c (lq_c - lp_c)
     * - q_c dlp_c)] with dlq_c = -(t_c - E_q t) / T^2 (p, s likewise); each float32 computation of a value or of
     * this sum is within gamma(k) of the sum of its terms' magnitudes (k = 64 roundings: the softmax's exp, sum and
     * division, the logarithms, the products and the sums over 12 entries, with room), and T itself within 8 u
     * (sigmoid, product, sum), which moves the loss by |dL/dT| 8 u T; two such computations: twice that.
     */
    private static void check(double theta, double lambda, double t, double kl, double thetaGrad) {
        float[][] got = run(theta, lambda);
        double temp = 1 + 20 / (1 + Math.exp(-theta));
        double[] exact = lossAndDerivative(temp);
        double gamma = FloatBounds.gamma(64);
        double tBound = 2 * 8 * FloatBounds.U * temp;
        assertThat((double) got[0][0]).as("T").isCloseTo(t, within(tBound));
        assertThat((double) got[0][1]).as("loss").isCloseTo(kl, within(2 * gamma * exact[2] + Math.abs(exact[1]) * tBound));
        double sig = 1 / (1 + Math.exp(-theta));
        double chain = lambda * 20 * sig * (1 - sig);
        assertThat(-chain * exact[1]).as("the double model of theta's gradient").isCloseTo(thetaGrad,
                within(2 * gamma * chain * exact[3] + chain * exact[4] * tBound));
        assertThat((double) got[1][0]).as("theta's gradient").isCloseTo(thetaGrad,
                within(2 * (2 * gamma * chain * exact[3] + chain * exact[4] * tBound)));
    }

    /** {loss, dL/dT, sum of the loss's term magnitudes, of dL/dT's, and a bound on |d2L/dT2|} at {@code temp}. */
    private static double[] lossAndDerivative(double temp) {
        double[] at = derivative(temp);
        double h = 1e-4 * temp; // d2L/dT2 by a central difference, made a bound by a factor 2
        double second = 2 * Math.abs(derivative(temp + h)[1] - derivative(temp - h)[1]) / (2 * h);
        return new double[] {at[0], at[1], at[2], at[3], second};
    }

    private static double[] derivative(double temp) {
        int n = S2.length / K;
        double loss = 0;
        double d = 0;
        double lossMag = 0;
        double dMag = 0;
        for (int i = 0; i < n; i++) {
            double[] lq = logSoftmax(T2, i, temp);
            double[] lp = logSoftmax(S2, i, temp);
            double eq = 0;
            double ep = 0;
            for (int c = 0; c < K; c++) {
                eq += Math.exp(lq[c]) * T2[i * K + c];
                ep += Math.exp(lp[c]) * S2[i * K + c];
            }
            double kl = 0;
            double inner = 0;
            for (int c = 0; c < K; c++) {
                double q = Math.exp(lq[c]);
                double dlq = -(T2[i * K + c] - eq) / (temp * temp);
                double dlp = -(S2[i * K + c] - ep) / (temp * temp);
                kl += q * (lq[c] - lp[c]);
                lossMag += temp * temp * q * (Math.abs(lq[c]) + Math.abs(lp[c])) / n;
                double a = q * dlq * (lq[c] - lp[c]);
                double b = q * dlp;
                inner += a - b;
                dMag += temp * temp * (Math.abs(a) + Math.abs(b)) / n + 2 * temp * q * (Math.abs(lq[c]) + Math.abs(lp[c])) / n;
            }
            loss += temp * temp * kl / n;
            d += (2 * temp * kl + temp * temp * inner) / n;
        }
        return new double[] {loss, d, lossMag, dMag};
    }

    private static double[] logSoftmax(float[] z, int row, double temp) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < K; c++) {
            max = Math.max(max, z[row * K + c] / temp);
        }
        double sum = 0;
        for (int c = 0; c < K; c++) {
            sum += Math.exp(z[row * K + c] / temp - max);
        }
        double[] r = new double[K];
        for (int c = 0; c < K; c++) {
            r[c] = z[row * K + c] / temp - max - Math.log(sum);
        }
        return r;
    }
}
