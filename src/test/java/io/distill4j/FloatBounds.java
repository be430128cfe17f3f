package io.distill4j;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

/**
 * Error bounds of float32 arithmetic, for tolerances that follow from what is compared rather than from what one
 * machine happened to give. Float results differ between CPU families (oneDNN, MKL and ONNX Runtime choose kernels
 * with different summation orders, vector widths and FMA use) and between thread counts, so two different
 * computations of one quantity agree only within a bound that holds for every order:
 * <ul>
 * <li>one IEEE operation (+, -, *, /, sqrt) rounds with a relative error of at most the unit roundoff
 * {@link #U} = 2^-24; a vectorised exp or log (Sleef, oneDNN, MLAS: within 1 to 2 ulp) is counted as 4 roundings;</li>
 * <li>a sum of n terms in any order (sequential, pairwise, in vector lanes, split across threads) and a dot product
 * of length n (with or without FMA) are within {@code gamma(n) * sum|terms|} of the exact value (Higham, Accuracy
 * and Stability of Numerical Algorithms, 2nd ed., section 3.1: gamma_n = n u / (1 - n u));</li>
 * <li>a chain of L such roundings is within gamma(L) relative of the exact value of each term it computes;</li>
 * <li>two computations that each satisfy a bound differ by at most the sum of the two.</li>
 * </ul>
 * The exact values and the sums of magnitudes the bounds need are computed here in double precision (2^-53:
 * negligible next to these, and covered by the margins of the counts).
 */
public final class FloatBounds {
    /** float32 unit roundoff (round to nearest): every rounding is within a relative {@code U}. */
    public static final double U = 0x1p-24;
    /** float64 unit roundoff, for Java-side double computations. */
    public static final double U64 = 0x1p-53;

    private FloatBounds() {}

    /** Higham's gamma_n = n u / (1 - n u): the relative bound of n successive float32 roundings. */
    public static double gamma(long n) {
        double nu = n * U;
        if (nu >= 1) {
            throw new IllegalArgumentException("gamma(" + n + ") is unbounded in float32");
        }
        return nu / (1 - nu);
    }

    /** gamma_n in double precision. */
    public static double gamma64(long n) {
        double nu = n * U64;
        return nu / (1 - nu);
    }

    /** True when multiplying by 1 / t is exact in float32 (t a power of two). */
    static boolean exactInverse(double t) {
        return t > 0 && t == Math.scalb(1.0, Math.getExponent(t));
    }

    /** Row-wise log-softmax of z / t (rows of k) in double: the exact values a float32 kernel approximates. */
    public static double[] logSoftmax(float[] z, int k, double t) {
        double[] l = new double[z.length];
        for (int off = 0; off < z.length; off += k) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, z[off + j] / t);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(z[off + j] / t - max);
            }
            double log = Math.log(sum);
            for (int j = 0; j < k; j++) {
                l[off + j] = z[off + j] / t - max - log;
            }
        }
        return l;
    }

    /**
     * A bound on |computed - exact| of each float32 log-probability of rows of k logits z at temperature t, computed
     * as a log-softmax of z * fl(1 / t) or as the log of a softmax:
     * <ul>
     * <li>log-softmax l_j = (a_j - m) - log sum_i exp(a_i - m): k exponentials (4 u each) and their sum (gamma(k))
     * give log S within (k + 4) u; the log, the subtraction of the max and the final subtraction add u times a value
     * of at most |l_j| each (|a_j - m| <= |l_j|): 3 u |l_j| + (k + 5) u;</li>
     * <li>log of a softmax: its relative error (k + 5) u plus u |l_j| for the log: within the same;</li>
     * <li>a = z * fl(1 / t) when 1 / t is not a power of two: each a_j within 2 u |a_j|, which moves l_j by at most
     * 2 u (|a_j| + |m| + sum_i p_i |a_i|).</li>
     * </ul>
     */
    public static double[] logSoftmaxError(float[] z, int k, double t) {
        double[] l = logSoftmax(z, k, t);
        boolean scaled = !exactInverse(t);
        double[] e = new double[z.length];
        for (int off = 0; off < z.length; off += k) {
            double m = Double.NEGATIVE_INFINITY;
            double mean = 0;
            for (int j = 0; j < k; j++) {
                m = Math.max(m, z[off + j] / t);
                mean += Math.exp(l[off + j]) * Math.abs(z[off + j] / t);
            }
            for (int j = 0; j < k; j++) {
                e[off + j] = 3 * U * Math.abs(l[off + j]) + (k + 5) * U
                        + (scaled ? 2 * U * (Math.abs(z[off + j] / t) + Math.abs(m) + mean) : 0);
            }
        }
        return e;
    }

    /**
     * A bound on the float32 rounding of {@code scale * (1 / n) * sum_rows sum_j q_j (log q_j - log p_j)}: rows of k,
     * the exact q, log q and log p given with bounds {@code eq}, {@code ep} on the computed logs (the relative error
     * of the computed q_j is then at most eq_j + 4 u: it is exp(log q_j) or the softmax the log was taken of).
     * A term q_j d_j (d_j = log q_j - log p_j) is within q_j (eq_j + ep_j + u |d_j|) + q_j (eq_j + 5 u) |d_j| (the
     * difference, the probability, the product); the sums over k and n within gamma(k + n) times the sum of
     * |q_j d_j|; the factor {@code scale} (T^2, a weight) and the division by n: 2 u of the result. Taken 1.01 times
     * for the products of first-order terms.
     */
    public static double klRows(double[] q, double[] lq, double[] eq, double[] lp, double[] ep, int k, double scale) {
        return klRows(q, lq, eq, lp, ep, k, q.length / k, scale);
    }

    /** {@link #klRows(double[], double[], double[], double[], double[], int, double)} for n rows summed over k. */
    public static double klRows(double[] q, double[] lq, double[] eq, double[] lp, double[] ep, int k, int n,
                                double scale) {
        double err = 0;
        double abs = 0;
        double value = 0;
        for (int i = 0; i < q.length; i++) {
            if (q[i] == 0) {
                continue; // 0 log 0: an exact 0 (the log of a clipped 0 is finite)
            }
            double d = lq[i] - lp[i];
            err += q[i] * (eq[i] + ep[i] + U * Math.abs(d)) + q[i] * (eq[i] + 5 * U) * Math.abs(d);
            abs += q[i] * Math.abs(d);
            value += q[i] * d;
        }
        return 1.01 * scale / n * (err + gamma(k + n) * abs + 2 * U * Math.abs(value));
    }

    /**
     * A bound on the float32 rounding of {@code T^2 * mean over rows of KL(softmax(t / T) || softmax(s / T))} (rows
     * of k), however each side's log-probabilities are computed (log-softmax, or the log of a softmax): see
     * {@link #logSoftmaxError} and {@link #klRows}.
     */
    public static double kl(float[] t, float[] s, int k, double temperature) {
        double[] lq = logSoftmax(t, k, temperature);
        double[] q = new double[lq.length];
        for (int i = 0; i < q.length; i++) {
            q[i] = Math.exp(lq[i]);
        }
        return klRows(q, lq, logSoftmaxError(t, k, temperature), logSoftmax(s, k, temperature),
                logSoftmaxError(s, k, temperature), k, temperature * temperature);
    }

    /**
     * A bound on the float32 rounding of {@code -T^2 * mean over rows of sum_j q_j log softmax(s / T)_j} for target
     * probabilities q given as the softmax of t / T (computed in float32 by the caller: relative error (k + 5) u):
     * each term within q_j ((k + 5) u |l_j| + e_j + u |l_j|), the sums gamma(k + n), the factor and the mean 2 u.
     */
    public static double softCrossEntropy(float[] t, float[] s, int k, double temperature) {
        double[] q = logSoftmax(t, k, temperature);
        double[] l = logSoftmax(s, k, temperature);
        double[] e = logSoftmaxError(s, k, temperature);
        int n = s.length / k;
        double err = 0;
        double abs = 0;
        for (int i = 0; i < l.length; i++) {
            double qi = Math.exp(q[i]);
            err += qi * ((k + 6) * U * Math.abs(l[i]) + e[i]);
            abs += qi * Math.abs(l[i]);
        }
        double t2 = temperature * temperature;
        return 1.01 * t2 / n * (err + gamma(k + n) * abs + 2 * U * abs);
    }

    /** The same for hard labels: -mean over rows of log softmax(s)_y, each within e_y, the mean gamma(n) + u. */
    public static double crossEntropy(float[] s, long[] labels, int k) {
        double[] l = logSoftmax(s, k, 1);
        double[] e = logSoftmaxError(s, k, 1);
        int n = labels.length;
        double err = 0;
        double abs = 0;
        for (int i = 0; i < n; i++) {
            int at = i * k + (int) labels[i];
            err += e[at];
            abs += Math.abs(l[at]);
        }
        return 1.01 * (err + (gamma(k + n) + 2 * U) * abs) / n;
    }

    /**
     * A bound on each entry of the float32 gradient of {@code T^2 * mean KL(softmax(t / T) || softmax(s / T))} with
     * respect to s, exactly (T / n) (q_j - p_j) (q: the student's probabilities, p: the teacher's), however back-
     * propagated (through log-softmax: g_j - q_j sum_i g_i with g = -p T^2 / n, and the factor 1 / T): each of the
     * parts p_j, q_j sum_i p_i carries the relative error of its probabilities (e + 4 u: exp of a log-softmax), the
     * sum over k gamma(k), and at most 6 roundings more (the upstream factor T^2 / n, the product, the subtraction,
     * the factor 1 / T): (T / n) (p_j (e_tj + 10 u) + q_j (e_sj + gamma(k) + max_i e_ti + 14 u)).
     */
    public static double[] klGradient(float[] t, float[] s, int k, double temperature) {
        double[] lp = logSoftmax(t, k, temperature);
        double[] ep = logSoftmaxError(t, k, temperature);
        double[] lq = logSoftmax(s, k, temperature);
        double[] eq = logSoftmaxError(s, k, temperature);
        int n = s.length / k;
        double[] b = new double[s.length];
        for (int off = 0; off < s.length; off += k) {
            double maxEp = 0;
            for (int j = 0; j < k; j++) {
                maxEp = Math.max(maxEp, ep[off + j]);
            }
            for (int j = 0; j < k; j++) {
                int i = off + j;
                b[i] = 1.01 * temperature / n * (Math.exp(lp[i]) * (ep[i] + 10 * U)
                        + Math.exp(lq[i]) * (eq[i] + gamma(k) + maxEp + 14 * U));
            }
        }
        return b;
    }

    /**
     * Per-sample bounds for the outputs of two forward passes of one network that sum in different orders (two
     * runtimes, two CPUs, two layouts): each output is within {@code g} relative of the exact one, taken relative to
     * the sample's largest output of either ({@code rows} of k), so they differ by at most 2 g times that.
     */
    public static double[] perSample(float[] a, float[] b, int k, double g) {
        double[] bound = new double[a.length];
        for (int off = 0; off < a.length; off += k) {
            double scale = 0;
            for (int j = 0; j < k; j++) {
                scale = Math.max(scale, Math.max(Math.abs(a[off + j]), Math.abs(b[off + j])));
            }
            for (int j = 0; j < k; j++) {
                bound[off + j] = 2 * g * scale;
            }
        }
        return bound;
    }

    /**
     * The bound of {@link #network(int, int...)} for a distill4j network, from its weights: one layer per weight
     * tensor (its fan-in per output: the tensor's size / its first dimension), 10 u each for BatchNorm, the
     * activation and a residual addition, and a global average pool over at most {@code poolArea} values. A
     * branch in parallel (a projection shortcut) is counted as if in series: more than needed.
     */
    public static double network(Block block, long poolArea) {
        double g = gamma(poolArea + 1) + 10 * U; // the global average pool before the classifier
        for (var p : block.getParameters()) {
            Shape s = p.getValue().getArray().getShape();
            if (s.dimension() >= 2) { // a convolution's or linear layer's weights: one dot product per output
                g += gamma(s.size() / s.get(0) + 1) + 10 * U;
            }
        }
        return g;
    }

    /**
     * The relative forward-error bound of a network whose layers compute dot products of the given lengths plus a
     * bias (convolutions: in-channels / groups x kernel area; linear: in-features; average pools: the pooled area),
     * ReLU, max-pool and concatenation exact: the sum of gamma(n + 1) over the layers, plus {@code perLayer} u on
     * each (BatchNorm's scale and shift, activations that round). This is relative to the outputs' magnitude: it
     * takes each layer's output to be as large as the sum of the absolute values of its terms (a well-conditioned
     * network), the model the brief's "relative to the logits' magnitude" asks for.
     */
    public static double network(int perLayer, int... reductions) {
        double g = 0;
        for (int n : reductions) {
            g += gamma(n + 1) + perLayer * U;
        }
        return g;
    }
}
