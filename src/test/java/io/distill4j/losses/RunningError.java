package io.distill4j.losses;

import io.distill4j.FloatBounds;

/**
 * A running error analysis (Wilkinson; Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., section 3.3)
 * of a float32 computation, done in double: each quantity carries its exact value {@code v} (the computation in
 * double, 2^-53: negligible) and a bound {@code e} on |computed - exact| of the float32 computation, propagated
 * through each operation to first order plus the operation's own rounding:
 * <ul>
 * <li>+, -, *, /, sqrt: one rounding, u times the result, plus the operands' errors carried through (for a / b,
 * {@code (e_a + |a / b| e_b) / (|b| - e_b)}: the denominator's error is relative to what it is, so a denominator
 * computed by cancellation carries its large relative error on);</li>
 * <li>exp and log: a vectorised kernel within 4 roundings of its result (as {@link FloatBounds} counts them); the
 * argument's error {@code e} moves exp by the factor {@code e^e - 1} and log by {@code -log(1 - e / a)};</li>
 * <li>every rounding also up to {@link #ETA} absolute (underflow);</li>
 * <li>a sum of n terms in any order: the terms' errors plus {@code gamma(n - 1)} times the sum of their magnitudes
 * (Higham section 3.1), so the bound holds for sequential, pairwise and vectorised orders alike.</li>
 * </ul>
 * An implementation that does the same operations in another order (another summation order, kernels that round
 * differently) is within the same bound, so two such implementations differ by at most twice it.
 */
record RunningError(double v, double e) {
    static final double U = FloatBounds.U;
    /**
     * Underflow: a result below the smallest normal float, 2^-126, is subnormal or (where a kernel flushes to zero)
     * 0, an absolute error of up to 2^-126 beside the relative u (Higham, section 2.1, the model with underflow).
     */
    static final double ETA = 0x1p-126;

    /** A float32 input, exact. */
    static RunningError of(double v) {
        return new RunningError(v, 0);
    }

    /** A constant such as 1 / T rounded to float32: within u of itself unless exactly representable. */
    static RunningError constant(double c) {
        return new RunningError(c, (float) c == c ? 0 : U * Math.abs(c));
    }

    RunningError plus(RunningError b) {
        double r = v + b.v;
        return new RunningError(r, e + b.e + U * Math.abs(r) + ETA);
    }

    RunningError minus(RunningError b) {
        double r = v - b.v;
        return new RunningError(r, e + b.e + U * Math.abs(r) + ETA);
    }

    RunningError times(RunningError b) {
        double r = v * b.v;
        return new RunningError(r, Math.abs(v) * b.e + Math.abs(b.v) * e + e * b.e + U * Math.abs(r) + ETA);
    }

    RunningError div(RunningError b) {
        if (b.e >= Math.abs(b.v)) {
            throw new IllegalStateException("a denominator within its own error of 0: no bound");
        }
        double r = v / b.v;
        return new RunningError(r, (e + Math.abs(r) * b.e) / (Math.abs(b.v) - b.e) + U * Math.abs(r) + ETA);
    }

    RunningError neg() {
        return new RunningError(-v, e);
    }

    RunningError exp() {
        double r = Math.exp(v);
        return new RunningError(r, r * Math.expm1(e) + 4 * U * r * Math.exp(e) + ETA);
    }

    RunningError log() {
        if (e >= v) {
            throw new IllegalStateException("a logarithm's argument within its own error of 0: no bound");
        }
        double r = Math.log(v);
        return new RunningError(r, -Math.log1p(-e / v) + 4 * U * Math.abs(r) + ETA);
    }

    RunningError sqrt() {
        double r = Math.sqrt(v);
        // concave: the lower side moves further, except where v - e is clipped at 0
        return new RunningError(r, Math.max(r - Math.sqrt(Math.max(0, v - e)), Math.sqrt(v + e) - r) + U * r + ETA);
    }

    /** A sum of the terms in any order. */
    static RunningError sum(RunningError... terms) {
        double value = 0;
        double err = 0;
        double magnitude = 0;
        for (RunningError t : terms) {
            value += t.v;
            err += t.e;
            magnitude += Math.abs(t.v) + t.e;
        }
        return new RunningError(value, err + (terms.length > 1 ? FloatBounds.gamma(terms.length - 1) : 0) * magnitude
                + (terms.length - 1) * ETA);
    }

    /** The mean of the terms: their sum divided by their count (one more rounding). */
    static RunningError mean(RunningError... terms) {
        return sum(terms).div(of(terms.length));
    }

    /** Rows of k floats as exact inputs. */
    static RunningError[] of(float[] z) {
        RunningError[] r = new RunningError[z.length];
        for (int i = 0; i < z.length; i++) {
            r[i] = of(z[i]);
        }
        return r;
    }

    static RunningError[] row(RunningError[] m, int i, int k) {
        RunningError[] r = new RunningError[k];
        System.arraycopy(m, i * k, r, 0, k);
        return r;
    }

    /** Column c of rows of k (n rows). */
    static RunningError[] column(RunningError[] m, int c, int k) {
        RunningError[] r = new RunningError[m.length / k];
        for (int i = 0; i < r.length; i++) {
            r[i] = m[i * k + c];
        }
        return r;
    }

    static RunningError[] scale(RunningError[] x, RunningError c) {
        RunningError[] r = new RunningError[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = x[i].times(c);
        }
        return r;
    }

    /** log-softmax of one row as PyTorch computes it: x - max - log(sum exp(x - max)) (the max is exact). */
    static RunningError[] logSoftmax(RunningError[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (RunningError t : x) {
            max = Math.max(max, t.v);
        }
        RunningError m = of(max);
        RunningError[] shifted = new RunningError[x.length];
        RunningError[] exps = new RunningError[x.length];
        for (int j = 0; j < x.length; j++) {
            shifted[j] = x[j].minus(m);
            exps[j] = shifted[j].exp();
        }
        RunningError log = sum(exps).log();
        RunningError[] r = new RunningError[x.length];
        for (int j = 0; j < x.length; j++) {
            r[j] = shifted[j].minus(log);
        }
        return r;
    }

    /** softmax of one row: exp(x - max) / sum exp(x - max). */
    static RunningError[] softmax(RunningError[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (RunningError t : x) {
            max = Math.max(max, t.v);
        }
        RunningError[] exps = new RunningError[x.length];
        for (int j = 0; j < x.length; j++) {
            exps[j] = x[j].minus(of(max)).exp();
        }
        RunningError s = sum(exps);
        RunningError[] r = new RunningError[x.length];
        for (int j = 0; j < x.length; j++) {
            r[j] = exps[j].div(s);
        }
        return r;
    }

    /** Row-wise {@link #softmax} or {@link #logSoftmax} of rows of k. */
    static RunningError[] rows(RunningError[] m, int k, boolean log) {
        RunningError[] r = new RunningError[m.length];
        for (int i = 0; i < m.length / k; i++) {
            RunningError[] row = row(m, i, k);
            System.arraycopy(log ? logSoftmax(row) : softmax(row), 0, r, i * k, k);
        }
        return r;
    }

    static double[] values(RunningError[] x) {
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = x[i].v;
        }
        return r;
    }
}
