package io.distill4j.losses;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.distill4j.FloatBounds;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * DKD, attention transfer, FitNets' hint and CRD's NCE loss, values and gradients, against PyTorch 1.13: the
 * numbers come from tools/reference_values.py (sections DKD, attention transfer, FitNets hint, CRD NCE loss), which
 * computes them as mdistiller and the CRD code do. Both sides are float32 evaluations of the same function (in
 * other operations and orders): each within a bound derived below from the roundings along the computation
 * ({@link FloatBounds}), so they differ by at most twice that.
 */
class FeatureLossTest {
    private static final float[] S = {1, 2, 0.5f, -1, 0, 0, 0, 0, 3, -2, 1, 0};
    private static final float[] T = {2, 1, 0, -0.5f, 1, 2, 3, 4, 0, 0, 0, 0};
    private static final int[] LABELS = {1, 3, 0};
    private static final double U = FloatBounds.U;

    /** softmax(z / t) of rows of k, in double. */
    static double[] softmax(float[] z, int k, double t) {
        double[] l = FloatBounds.logSoftmax(z, k, t);
        for (int i = 0; i < l.length; i++) {
            l[i] = Math.exp(l[i]);
        }
        return l;
    }

    /**
     * TCKD's evaluation bound: the KL of the binary distributions (b, 1 - b), b the target's probability at T (a
     * softmax: relative (k + 5) u; the sum with a one-hot mask adds nothing), 1 - b then within (k + 5) u b + u |1 - b|
     * absolute, and each log (a vectorised log: 4 u of its value) within the argument's relative error plus that.
     */
    static double tckdBound(float[] t, float[] s, double temp) {
        int k = 4;
        int n = LABELS.length;
        double[] pt = softmax(t, k, temp);
        double[] ps = softmax(s, k, temp);
        double[] q = new double[2 * n];
        double[] lq = new double[2 * n];
        double[] eq = new double[2 * n];
        double[] lp = new double[2 * n];
        double[] ep = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double bt = pt[i * k + LABELS[i]];
            double bs = ps[i * k + LABELS[i]];
            double[][] sides = {{bt, 1 - bt}, {bs, 1 - bs}};
            for (int side = 0; side < 2; side++) {
                double b = sides[side][0];
                double relB = (k + 5) * U;
                double relRest = (k + 5) * U * b / (1 - b) + U;
                double[] logs = {Math.log(b), Math.log(1 - b)};
                double[] errs = {relB + 4 * U * Math.abs(logs[0]), relRest + 4 * U * Math.abs(logs[1])};
                for (int j = 0; j < 2; j++) {
                    if (side == 0) {
                        q[2 * i + j] = sides[0][j];
                        lq[2 * i + j] = logs[j];
                        eq[2 * i + j] = errs[j];
                    } else {
                        lp[2 * i + j] = logs[j];
                        ep[2 * i + j] = errs[j];
                    }
                }
            }
        }
        return FloatBounds.klRows(q, lq, eq, lp, ep, 2, n, temp * temp);
    }

    /**
     * NCKD's evaluation bound: a KL over the non-target classes (the target's logit, 1000 below, has an exp of exactly
     * 0 in float: probability 0, no term), each log-softmax as FloatBounds.logSoftmaxError of the k - 1 classes plus
     * u for the masked entry in the sum over k.
     */
    static double nckdBound(float[] t, float[] s, double temp) {
        int k = 4;
        int n = LABELS.length;
        float[] tr = new float[n * (k - 1)];
        float[] sr = new float[n * (k - 1)];
        for (int i = 0, at = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                if (j != LABELS[i]) {
                    tr[at] = t[i * k + j];
                    sr[at++] = s[i * k + j];
                }
            }
        }
        double[] lq = FloatBounds.logSoftmax(tr, k - 1, temp);
        double[] lp = FloatBounds.logSoftmax(sr, k - 1, temp);
        double[] eq = FloatBounds.logSoftmaxError(tr, k - 1, temp);
        double[] ep = FloatBounds.logSoftmaxError(sr, k - 1, temp);
        double[] q = new double[lq.length];
        for (int i = 0; i < q.length; i++) {
            q[i] = Math.exp(lq[i]);
            eq[i] += U;
            ep[i] += U;
        }
        return FloatBounds.klRows(q, lq, eq, lp, ep, k, n, temp * temp);
    }

    /**
     * Bounds for attention transfer (student (2, 3, 4, 4) pooled to 2 x 2, teacher (2, 5, 2, 2), p = 2), from the
     * roundings along the computation: the pooling (a mean of 4: gamma(4) of the |values|), the mean of squares over
     * C channels ((C + 2) u of it, and twice the pooled value's error), the norm of 4 (gamma(4) / 2 + 2 u on top of
     * the largest relative error of its entries), the division (u); the difference d of the maps, the mean of 8
     * squares (2 |d| of d's error, u d^2, gamma(8) of the sum). The gradient with respect to the student's map, a sum
     * over the map of (2 d_i / 8) (delta_ij + a_i a_j) / |v| times 2 f / C / 4: within gamma(27) and the relative
     * errors of its factors, plus what d's own errors pass through.
     */
    static final class AttentionBound {
        double value;
        double[] gradient;

        static AttentionBound of(float[] student, float[] teacher) {
            AttentionBound b = new AttentionBound();
            int n = 2;
            int cs = 3;
            int ct = 5;
            b.gradient = new double[student.length];
            double sumD2 = 0;
            double err = 0;
            for (int s = 0; s < n; s++) {
                double[][] f = new double[cs][4];
                double[][] df = new double[cs][4];
                for (int c = 0; c < cs; c++) {
                    for (int y = 0; y < 4; y++) {
                        for (int x = 0; x < 4; x++) {
                            double v = student[((s * cs + c) * 4 + y) * 4 + x];
                            f[c][(y / 2) * 2 + x / 2] += v / 4;
                            df[c][(y / 2) * 2 + x / 2] += FloatBounds.gamma(4) * Math.abs(v) / 4;
                        }
                    }
                }
                double[] vs = new double[4];
                double[] rs = new double[4];
                double[] vt = new double[4];
                for (int j = 0; j < 4; j++) {
                    double abs = 0;
                    for (int c = 0; c < cs; c++) {
                        vs[j] += f[c][j] * f[c][j] / cs;
                        abs += 2 * Math.abs(f[c][j]) * df[c][j] / cs;
                    }
                    rs[j] = (cs + 2) * U + abs / vs[j];
                    for (int c = 0; c < ct; c++) {
                        double v = teacher[(s * ct + c) * 4 + j];
                        vt[j] += v * v / ct;
                    }
                }
                double ns = 0;
                double nt = 0;
                double maxRs = 0;
                for (int j = 0; j < 4; j++) {
                    ns += vs[j] * vs[j];
                    nt += vt[j] * vt[j];
                    maxRs = Math.max(maxRs, rs[j]);
                }
                ns = Math.sqrt(ns);
                nt = Math.sqrt(nt);
                double relNs = maxRs + FloatBounds.gamma(4) / 2 + 2 * U;
                double relNt = (ct + 2) * U + FloatBounds.gamma(4) / 2 + 2 * U;
                double[] as = new double[4];
                double[] d = new double[4];
                double[] dd = new double[4];
                for (int j = 0; j < 4; j++) {
                    as[j] = vs[j] / ns;
                    double at = vt[j] / nt;
                    d[j] = as[j] - at;
                    dd[j] = as[j] * (rs[j] + relNs + U) + at * ((ct + 2) * U + relNt + U) + U * Math.abs(d[j]);
                    sumD2 += d[j] * d[j];
                    err += 2 * Math.abs(d[j]) * dd[j] + U * d[j] * d[j];
                }
                for (int c = 0; c < cs; c++) {
                    for (int y = 0; y < 4; y++) {
                        for (int x = 0; x < 4; x++) {
                            int j = (y / 2) * 2 + x / 2;
                            double up = 0;
                            double upErr = 0;
                            for (int i = 0; i < 4; i++) {
                                double jac = (i == j ? 1 : 0) + as[i] * as[j];
                                up += 2 * Math.abs(d[i]) / 8 * jac;
                                upErr += 2 * dd[i] / 8 * jac;
                            }
                            double factor = 2.0 / cs / 4 / ns;
                            b.gradient[((s * cs + c) * 4 + y) * 4 + x] = 1.01 * factor
                                    * ((Math.abs(f[c][j]) * (FloatBounds.gamma(27) + relNs + maxRs) + df[c][j]) * up
                                    + Math.abs(f[c][j]) * upErr);
                        }
                    }
                }
            }
            b.value = 1.01 * (err + FloatBounds.gamma(8) * sumD2) / 8;
            return b;
        }
    }

    @Test
    void decoupledKdAndItsGradientMatchPyTorch() {
        float[] expectedGradient = {
            -7.34233499e-01f, 9.82083678e-02f, 7.26422668e-01f, -9.03964937e-02f, 8.87700677e-01f, 1.17347397e-01f,
            -8.71806026e-01f, -1.33242667e-01f, 2.30348170e-01f, -1.36568356e+00f, 1.08040333e+00f, 5.49332425e-02f};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(S, new Shape(3, 4));
            NDArray t = m.create(T, new Shape(3, 4));
            s.setRequiresGradient(true);
            t.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDList terms = DecoupledKd.terms(t, s, m.create(new long[] {1, 3, 0}), 4);
                assertThat((double) terms.get(0).getFloat()).isCloseTo(5.45750141e-01f, within(2 * tckdBound(T, S, 4)));
                assertThat((double) terms.get(1).getFloat()).isCloseTo(4.23984051e-01f, within(2 * nckdBound(T, S, 4)));
                gc.backward(terms.get(0).add(terms.get(1).mul(8f)));
            }
            // the gradient of TCKD + 8 NCKD in the student's logits, as sums of parts whose magnitudes are, per
            // logit j (T 4, n 3, p / q the teacher's / student's probabilities, b the target's, d_jy the one-hot):
            // TCKD: (T / n) (d_jy + q_j) (b_t + (1 - b_t) b_s / (1 - b_s)^2) (through 1 - b_s, whose rounding is
            // relative to b_s: the square); NCKD: 8 (T / n) (p'_j + 2 q'_j) over the non-target classes (p', q' their
            // renormalised probabilities); each part within gamma(27) of itself (2 k + n + 16 roundings: the
            // softmaxes, the logs, the sums, the chain of products): twice that
            float[] got = s.getGradient().toFloatArray();
            double[] pt = softmax(T, 4, 4);
            double[] ps = softmax(S, 4, 4);
            for (int i = 0; i < 3; i++) {
                double bt = pt[i * 4 + LABELS[i]];
                double bs = ps[i * 4 + LABELS[i]];
                for (int j = 0; j < 4; j++) {
                    int at = i * 4 + j;
                    double oneHot = j == LABELS[i] ? 1 : 0;
                    double magnitude = 4.0 / 3 * (oneHot + ps[at]) * (bt + (1 - bt) * bs / ((1 - bs) * (1 - bs)));
                    if (j != LABELS[i]) {
                        magnitude += 8 * 4.0 / 3 * (pt[at] / (1 - bt) + 2 * ps[at] / (1 - bs));
                    }
                    assertThat((double) got[at]).as("d/ds %d", at)
                            .isCloseTo(expectedGradient[at], within(2 * FloatBounds.gamma(27) * magnitude));
                }
            }
            assertThat(t.getGradient().abs().sum().getFloat()).isZero();
        }
    }

    @Test
    void decoupledKdOfEqualLogitsIsZero() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(S, new Shape(3, 4));
            NDList terms = DecoupledKd.terms(s, s, m.create(new long[] {1, 3, 0}), 4);
            // TCKD: exact, both binary distributions are the same operations on the same values (log q - log p = 0)
            assertThat(terms.get(0).getFloat()).isZero();
            // NCKD: the log of a softmax against a log-softmax of the same values: 0 within one evaluation's bound
            assertThat((double) terms.get(1).getFloat()).isCloseTo(0, within(nckdBound(S, S, 4)));
        }
    }

    @Test
    void attentionTransferAndItsGradientMatchPyTorchAcrossResolutions() {
        float[] student = {
            -5.10797560e-01f, 1.02827179e+00f, -3.53151590e-01f, 1.22991316e-01f, -1.81554466e-01f, -1.49722815e+00f,
            1.42104536e-01f, -5.24282455e-01f, -2.48737112e-01f, -5.25237620e-01f, 2.89221358e+00f, -5.94713390e-01f,
            1.31183314e+00f, 3.52179378e-01f, -1.31512427e+00f, -7.99220521e-03f, 2.47880027e-01f, 1.57270348e+00f,
            -1.63946450e+00f, -1.59253228e+00f, -1.54625118e-01f, -1.09643877e+00f, 1.36659765e+00f, 6.89281940e-01f,
            -3.93504918e-01f, 6.17100120e-01f, 7.52840221e-01f, 6.02252185e-01f, 2.01754236e+00f, -1.16862941e+00f,
            -1.32419419e+00f, 1.12674356e+00f, -2.25540623e-01f, 5.21760404e-01f, -2.05977440e+00f, 1.38337851e-01f,
            4.96174872e-01f, -6.05279505e-01f, -8.00693989e-01f, 1.58651799e-01f, 7.12770581e-01f, -7.43821919e-01f,
            2.80077606e-01f, 3.73490721e-01f, 2.99505401e+00f, -2.56943256e-01f, -6.83797359e-01f, 1.06211865e+00f,
            -2.05178354e-02f, -6.30507588e-01f, 5.48507869e-01f, -1.58850551e+00f, 5.28063953e-01f, 8.96397829e-01f,
            9.97478426e-01f, -2.15572059e-01f, 1.32659531e+00f, -1.08640872e-01f, -1.02650404e+00f, 4.35771458e-02f,
            -9.72385883e-01f, 2.80290842e-01f, 5.69985271e-01f, 1.48411644e+00f, -1.45556903e+00f, 5.58226109e-01f,
            -5.06247580e-01f, 4.65491265e-01f, -8.60426724e-01f, -8.52817237e-01f, 2.01634765e+00f, 1.69276997e-01f,
            -9.02977705e-01f, -1.71020591e+00f, -1.36228889e-01f, 1.45302069e+00f, 5.61969042e-01f, 1.15905154e+00f,
            -1.72097874e+00f, -5.89746684e-02f, 8.45495045e-01f, -1.30360767e-01f, -3.23162973e-01f,
            -7.11867034e-01f, -2.27317140e-01f, -2.53219557e+00f, 3.41463149e-01f, 1.10483027e+00f, 9.57392976e-02f,
            -2.99304835e-02f, 8.55258822e-01f, -2.48897914e-02f, 2.26964855e+00f, 8.60169888e-01f, -1.64989245e+00f,
            -4.34857570e-02f};
        float[] teacher = {
            4.49800730e-01f, -5.50595939e-01f, -8.20315480e-01f, 1.12641799e+00f, -1.23751569e+00f, -1.78754508e+00f,
            1.01143587e+00f, -9.98236418e-01f, 2.15350509e+00f, 4.63138402e-01f, -1.67921340e+00f, 1.48996258e+00f,
            -9.38731432e-01f, 2.02926254e+00f, 7.27409422e-01f, 4.03503209e-01f, 7.64191628e-01f, -8.40285361e-01f,
            3.46381307e-01f, -2.85904169e+00f, -1.75177789e+00f, -2.95186782e+00f, 7.45307282e-02f, 2.81849951e-01f,
            5.62204957e-01f, -5.39033353e-01f, -3.87154281e-01f, -3.34199637e-01f, -9.97635305e-01f,
            -6.41687274e-01f, -2.39623761e+00f, 1.18840110e+00f, 8.53851199e-01f, 8.25129569e-01f, -2.71092832e-01f,
            -3.05350363e-01f, -5.30547857e-01f, 1.75955856e+00f, -2.02230954e+00f, -5.25835812e-01f};
        float[] expectedGradient = {
            1.50064277e-02f, 1.50064277e-02f, -1.07048079e-04f, -1.07048079e-04f, 1.50064277e-02f, 1.50064277e-02f,
            -1.07048079e-04f, -1.07048079e-04f, 8.39092582e-03f, 8.39092582e-03f, -1.93999335e-02f, -1.93999335e-02f,
            8.39092582e-03f, 8.39092582e-03f, -1.93999335e-02f, -1.93999335e-02f, -7.35933287e-03f, -7.35933287e-03f,
            -2.05607110e-04f, -2.05607110e-04f, -7.35933287e-03f, -7.35933287e-03f, -2.05607110e-04f,
            -2.05607110e-04f, 1.01111839e-02f, 1.01111839e-02f, -2.30485946e-02f, -2.30485946e-02f, 1.01111839e-02f,
            1.01111839e-02f, -2.30485946e-02f, -2.30485946e-02f, -2.41790176e-03f, -2.41790176e-03f,
            -4.48143663e-04f, -4.48143663e-04f, -2.41790176e-03f, -2.41790176e-03f, -4.48143663e-04f,
            -4.48143663e-04f, 2.55210903e-02f, 2.55210903e-02f, -2.05448754e-02f, -2.05448754e-02f, 2.55210903e-02f,
            2.55210903e-02f, -2.05448754e-02f, -2.05448754e-02f, 5.66646177e-03f, 5.66646177e-03f, 3.93853150e-03f,
            3.93853150e-03f, 5.66646177e-03f, 5.66646177e-03f, 3.93853150e-03f, 3.93853150e-03f, -4.86186211e-04f,
            -4.86186211e-04f, -3.55097640e-04f, -3.55097640e-04f, -4.86186211e-04f, -4.86186211e-04f,
            -3.55097640e-04f, -3.55097640e-04f, -1.91260614e-02f, -1.91260614e-02f, -3.27311866e-02f,
            -3.27311866e-02f, -1.91260614e-02f, -1.91260614e-02f, -3.27311866e-02f, -3.27311866e-02f,
            8.24854185e-04f, 8.24854185e-04f, 1.53539455e-04f, 1.53539455e-04f, 8.24854185e-04f, 8.24854185e-04f,
            1.53539455e-04f, 1.53539455e-04f, -1.49778230e-02f, -1.49778230e-02f, -6.27597468e-03f, -6.27597468e-03f,
            -1.49778230e-02f, -1.49778230e-02f, -6.27597468e-03f, -6.27597468e-03f, -2.95453495e-03f,
            -2.95453495e-03f, 2.86090100e-04f, 2.86090100e-04f, -2.95453495e-03f, -2.95453495e-03f, 2.86090100e-04f,
            2.86090100e-04f};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray fs = m.create(student, new Shape(2, 3, 4, 4));
            NDArray ft = m.create(teacher, new Shape(2, 5, 2, 2));
            fs.setRequiresGradient(true);
            ft.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray at = FeatureLoss.attentionTransfer(fs, ft, 2);
                assertThat((double) at.getFloat()).isCloseTo(1.09119363e-01f, within(2 * AttentionBound.of(student, teacher).value));
                gc.backward(at);
            }
            float[] got = fs.getGradient().toFloatArray();
            double[] bound = AttentionBound.of(student, teacher).gradient;
            for (int i = 0; i < got.length; i++) {
                assertThat((double) got[i]).as("d/dfs %d", i).isCloseTo(expectedGradient[i], within(2 * bound[i]));
            }
            assertThat(ft.getGradient().abs().sum().getFloat()).isZero();
        }
    }

    @Test
    void attentionMapsAreUnitRowsOfTheChannelMeanOfSquares() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray f = m.create(new float[] {1, -2, 0, 3, 2, 0, 0, 1}, new Shape(1, 2, 2, 2));
            // mean over channels of f^2: (1 + 4) / 2, (4 + 0) / 2, 0, (9 + 1) / 2 = 2.5, 2, 0, 5; norm sqrt(35.25)
            // exact: the squares, their channel sums and means (halving) and the sum of the squared means, 35.25, are
            // exact in float; sqrt and the divisions are correctly rounded IEEE operations, as here
            float n = (float) Math.sqrt(35.25);
            assertThat(FeatureLoss.attention(f, 2).toFloatArray()).containsExactly(2.5f / n, 2 / n, 0, 5 / n);
        }
    }

    @Test
    void hintAndItsGradientMatchPyTorch() {
        float[] student = {
            4.81600612e-01f, -5.07977307e-01f, -6.30168676e-01f, -4.92026567e-01f, -2.21292067e+00f,
            -1.55608368e+00f, 4.93776590e-01f, -3.37750226e-01f, -2.15225673e+00f, -1.64383426e-02f,
            -3.94495755e-01f, -7.83025086e-01f, -2.13045812e+00f, -2.79136825e+00f, 4.84130561e-01f, 1.07177520e+00f,
            1.31650305e+00f, 6.67166770e-01f, -3.44228595e-02f, 9.74394083e-01f, -3.40463817e-01f, 8.57372105e-01f,
            4.40835238e-01f, 2.07316899e+00f};
        float[] teacher = {
            -1.35785472e+00f, -1.01802897e+00f, 4.14702386e-01f, -8.62808228e-01f, -4.68473196e-01f, 2.76193440e-01f,
            -5.57938278e-01f, -4.69872415e-01f, 2.85279226e+00f, 1.28792846e+00f, 9.75911796e-01f, -1.38685381e+00f,
            -9.02410567e-01f, -3.53603274e-01f, -2.30890244e-01f, 1.63288131e-01f, -1.09424818e+00f, 1.07865846e+00f,
            8.87501240e-01f, -1.06261873e+00f, -6.49825782e-02f, -1.85417628e+00f, 2.55446434e-01f, -1.56216070e-01f};
        float[] expectedGradient = {
            1.53287947e-01f, 4.25043069e-02f, -8.70725960e-02f, 3.08984723e-02f, -1.45370632e-01f, -1.52689755e-01f,
            8.76429081e-02f, 1.10101830e-02f, -4.17087406e-01f, -1.08697236e-01f, -1.14200637e-01f, 5.03190607e-02f,
            -1.02337301e-01f, -2.03147084e-01f, 5.95850646e-02f, 7.57072568e-02f, 2.00895950e-01f, -3.42909768e-02f,
            -7.68270120e-02f, 1.69751078e-01f, -2.29567699e-02f, 2.25962371e-01f, 1.54490676e-02f, 1.85782105e-01f};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray fs = m.create(student, new Shape(2, 3, 2, 2));
            NDArray ft = m.create(teacher, new Shape(2, 3, 2, 2));
            fs.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray h = FeatureLoss.hint(fs, ft);
                // mean of 24 squared differences: the difference (u), the square (u, and twice the difference's),
                // the sum (gamma(24)), the mean (u): (gamma(24) + 4 u) of the value, every term being >= 0; twice
                double hint = 0;
                for (int i = 0; i < student.length; i++) {
                    hint += ((double) student[i] - teacher[i]) * ((double) student[i] - teacher[i]) / student.length;
                }
                assertThat((double) h.getFloat())
                        .isCloseTo(3.06633830e+00f, within(2 * (FloatBounds.gamma(24) + 4 * U) * hint));
                gc.backward(h);
            }
            // 2 (s - t) / 24: the difference, 1 / 24, the products and the sum of the two halves of d(d * d): 5 u
            float[] got = fs.getGradient().toFloatArray();
            for (int i = 0; i < got.length; i++) {
                double g = 2 * ((double) student[i] - teacher[i]) / student.length;
                assertThat((double) got[i]).as("d/dfs %d", i)
                        .isCloseTo(expectedGradient[i], within(2 * 5 * U * Math.abs(g)));
            }
        }
    }

    @Test
    void nceLossAndItsGradientMatchTheCrdCode() {
        float[] scores = {
            1.35131747e-01f, 1.16966754e-01f, 5.94291463e-02f, 2.03914702e-01f, 8.37878883e-02f, 1.11905381e-01f,
            5.54871187e-02f, 9.31501687e-02f, 1.83196366e-01f, 1.93703070e-01f, 3.94523963e-02f, 1.07270211e-01f,
            7.42566437e-02f, 6.16957024e-02f, 9.83456969e-02f};
        float[] expectedGradient = {
            -9.17291164e-01f, 1.69233215e+00f, 2.39069891e+00f, 1.17406118e+00f, 2.03515124e+00f, -1.24174082e+00f,
            2.46025634e+00f, 1.92511022e+00f, 1.26648104e+00f, 1.21786439e+00f, -5.65849161e+00f, 1.77995837e+00f,
            2.16089940e+00f, 2.35245752e+00f, 1.86902821e+00f};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(scores, new Shape(3, 5));
            x.setRequiresGradient(true);
            double c = 4.0 / 50 + 1e-7;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray nce = FeatureLoss.nce(x, 50);
                // -(sum log(s+ / (s+ + c)) + sum log(m Pn / (s- + c))) / n, c = m Pn + eps (m Pn = 4 / 50): each term
                // within 6 u (the sum s + c, the division or the factor 1 / m Pn, the product, and c itself, stored
                // as float here and as double then float by PyTorch: a relative 2 u of s + c >= 0.08) plus 4 u of its
                // |log| (a vectorised log); the sum of 15 within gamma(16); twice that
                double err = 0;
                double abs = 0;
                for (int i = 0; i < scores.length; i++) {
                    double term = i % 5 == 0 ? Math.log(scores[i] / (scores[i] + c)) : Math.log(4.0 / 50 / (scores[i] + c));
                    err += 6 * U + 4 * U * Math.abs(term);
                    abs += Math.abs(term);
                }
                assertThat((double) nce.getFloat())
                        .isCloseTo(4.05075169e+00f, within(2 * (err + FloatBounds.gamma(16) * abs) / 3));
                gc.backward(nce);
            }
            // d/ds+ = -(1/s - 1/(s + c)) / n, d/ds- = 1 / (n (s + c)): parts of magnitude (1/s + 1/(s + c)) / n and
            // 1 / (n (s + c)), each within gamma(12) (the forward's 6 roundings and the backward's: 1/x, the
            // factors, the sum): twice that
            float[] got = x.getGradient().toFloatArray();
            for (int i = 0; i < got.length; i++) {
                double magnitude = (i % 5 == 0 ? 1 / scores[i] + 1 / (scores[i] + c) : 1 / (scores[i] + c)) / 3;
                assertThat((double) got[i]).as("d/ds %d", i)
                        .isCloseTo(expectedGradient[i], within(2 * FloatBounds.gamma(12) * magnitude));
            }
        }
    }
}
