package io.distill4j.methods.mkf;

import java.util.Arrays;

/**
 * Euclidean projections used by the knowledge-fraction solvers ({@link KnowledgeFraction}, docs/methods.md
 * section 6). Pure functions on {@code double} arrays; the argument arrays are never modified.
 *
 * <ul>
 *   <li>{@link #ontoSimplex}: onto the probability simplex {@code {x : x >= 0, sum x = 1}}, the sort-based
 *       algorithm (Held, Wolfe and Crowder 1974; Duchi et al. 2008). Used by the {@code linear} fraction
 *       (the article's OPT2) to "project back".</li>
 *   <li>{@link #ontoBoxedSimplex}: onto {@code {x : lo <= x <= hi, sum x = 1}} (a simplex slice with
 *       per-coordinate bounds). Its solution is {@code x_i = clip(v_i - nu, lo_i, hi_i)} for the one scalar
 *       {@code nu} with {@code sum x = 1}; {@code nu} is found exactly by sorting the {@code 2n} breakpoints of
 *       that piecewise-linear, non-increasing function of {@code nu}. Used by the {@code exact} fraction (the
 *       article's OPT1).</li>
 * </ul>
 * Both cost {@code O(n log n)}.
 */
public final class SimplexProjection {
    private SimplexProjection() {}

    /**
     * The Euclidean projection of {@code v} onto the probability simplex: {@code argmin ||x - v||^2} subject
     * to {@code x >= 0, sum x = 1}. Sort-based: with {@code u} the entries of {@code v} in decreasing order,
     * {@code rho = max{j : u_j - (u_1 + ... + u_j - 1) / j > 0}}, {@code theta = (u_1 + ... + u_rho - 1) / rho},
     * and {@code x_i = max(v_i - theta, 0)}.
     *
     * @param v any finite vector, length at least 1
     * @return a new array on the simplex (up to rounding, about {@code 1e-16} per entry)
     */
    public static double[] ontoSimplex(double[] v) {
        requireFinite(v, "v");
        int n = v.length;
        double[] u = v.clone();
        Arrays.sort(u); // ascending; walked from the end
        double cum = 0;
        double theta = 0;
        for (int j = 1; j <= n; j++) {
            double uj = u[n - j];
            cum += uj;
            double t = (cum - 1) / j;
            if (uj - t > 0) {
                theta = t; // the condition holds for a prefix of j (j = 1 always), so the last one wins
            } else {
                break;
            }
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Math.max(v[i] - theta, 0);
        }
        return x;
    }

    /**
     * The Euclidean projection of {@code v} onto {@code {x : lo <= x <= hi, sum x = 1}}: {@code argmin
     * ||x - v||^2} over that set. KKT: {@code x_i = clip(v_i - nu, lo_i, hi_i)} with the scalar {@code nu} such
     * that {@code g(nu) = sum_i clip(v_i - nu, lo_i, hi_i) = 1}; {@code g} is continuous, piecewise linear and
     * non-increasing, with breakpoints {@code v_i - hi_i} (coordinate i leaves its upper bound) and
     * {@code v_i - lo_i} (it reaches its lower bound). The two sorted lists of breakpoints are merged and
     * swept once; on the segment where {@code g} crosses 1 the set of free coordinates {@code F} is fixed and
     * {@code nu = (sum_{i in F} v_i + sum_{at hi} hi_i + sum_{at lo} lo_i - 1) / |F|} is computed directly (no
     * accumulated rounding), so the result is exact to rounding.
     *
     * @param lo lower bounds, {@code lo_i <= hi_i}
     * @param hi upper bounds
     * @throws IllegalArgumentException on different lengths, non-finite entries, {@code lo_i > hi_i}, or an
     *     empty set ({@code sum lo > 1} or {@code sum hi < 1} beyond rounding, {@code 1e-9})
     */
    public static double[] ontoBoxedSimplex(double[] v, double[] lo, double[] hi) {
        requireFinite(v, "v");
        requireFinite(lo, "lo");
        requireFinite(hi, "hi");
        int n = v.length;
        if (lo.length != n || hi.length != n) {
            throw new IllegalArgumentException("v, lo, hi must have one length: " + n + ", " + lo.length + ", "
                    + hi.length);
        }
        double sumLo = 0;
        double sumHi = 0;
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (lo[i] > hi[i]) {
                throw new IllegalArgumentException("lo[" + i + "] = " + lo[i] + " > hi[" + i + "] = " + hi[i]);
            }
            sumLo += lo[i];
            sumHi += hi[i];
            if (lo[i] < hi[i]) {
                m++;
            }
        }
        if (sumLo > 1 + 1e-9 || sumHi < 1 - 1e-9) {
            throw new IllegalArgumentException("empty set: sum lo = " + sumLo + ", sum hi = " + sumHi);
        }
        if (sumHi <= 1) {
            return hi.clone(); // the only feasible point (up to rounding)
        }
        if (sumLo >= 1) {
            return lo.clone();
        }
        double[] enter = new double[m];
        double[] leave = new double[m];
        for (int i = 0, k = 0; i < n; i++) {
            if (lo[i] < hi[i]) {
                enter[k] = v[i] - hi[i];
                leave[k] = v[i] - lo[i];
                k++;
            }
        }
        Arrays.sort(enter);
        Arrays.sort(leave);
        // sweep nu upwards from enter[0], where every coordinate sits at hi and g = sumHi > 1
        double g = sumHi;
        double prev = enter[0];
        int free = 0;
        int a = 0;
        int b = 0;
        double segLo = Double.NaN;
        double segHi = Double.NaN;
        double nu = Double.NaN;
        while (b < m) {
            // each coordinate enters before it leaves, so b <= a; at a tie, entering first is harmless
            boolean isEnter = a < m && enter[a] <= leave[b];
            double next = isEnter ? enter[a] : leave[b];
            double gNext = g - free * (next - prev);
            if (gNext <= 1 && free > 0) {
                segLo = prev;
                segHi = next;
                nu = prev + (g - 1) / free;
                break;
            }
            g = gNext;
            prev = next;
            if (isEnter) {
                a++;
                free++;
            } else {
                b++;
                free--;
            }
        }
        if (Double.isNaN(nu)) {
            // rounding only (sumLo < 1 means the sweep must cross 1): every coordinate at lo
            return lo.clone();
        }
        // recompute nu from the free set of the segment, which is constant on its interior
        double mid = 0.5 * (segLo + segHi);
        double num = -1;
        int k = 0;
        for (int i = 0; i < n; i++) {
            double t = v[i] - mid;
            if (lo[i] < hi[i] && t > lo[i] && t < hi[i]) {
                num += v[i];
                k++;
            } else {
                num += (t >= hi[i]) ? hi[i] : lo[i];
            }
        }
        if (k > 0) {
            double exact = num / k;
            if (exact >= segLo - 1e-12 * (1 + Math.abs(segLo)) && exact <= segHi + 1e-12 * (1 + Math.abs(segHi))) {
                nu = exact;
            }
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Math.min(hi[i], Math.max(lo[i], v[i] - nu));
        }
        return x;
    }

    static void requireFinite(double[] v, String name) {
        if (v == null || v.length == 0) {
            throw new IllegalArgumentException(name + " must have at least one entry");
        }
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] is not finite: " + v[i]);
            }
        }
    }
}
