package io.distill4j.methods.mkf;

import java.util.Arrays;
import java.util.Locale;

/**
 * The knowledge fraction of MKF (docs/methods.md section 6; the article, seeds/001, section 1.3 "混合知识分解"):
 * how the network's output {@code p~} for an input mixed from images a and b (weight {@code lam} on a,
 * {@code 1 - lam} on b) is split into two probability vectors {@code p_a, p_b} that then update the two images'
 * group knowledge. The split is anchored on the knowledge already stored for the two images, {@code K_a} and
 * {@code K_b} (the article's "knowledge bases" 知识基).
 *
 * <h2>The problem (docs/methods.md section 6, the article's OPT1)</h2>
 * <pre>
 *   minimise   lam ||p_a - K_a||^2 + (1 - lam) ||p_b - K_b||^2
 *   subject to lam p_a + (1 - lam) p_b = p~,   p_a and p_b on the probability simplex.
 * </pre>
 * The article writes the QP with the simplex constraints only; the mixing equality is its model of the mixed
 * output ({@code p~ = lam p_a + (1 - lam) p_b}, the formula just before) and docs/methods.md states it as a
 * constraint, as it is here (without it the minimiser would be {@code K} itself and {@code p~} unused).
 *
 * <p>With {@code r = p~ - lam K_a - (1 - lam) K_b} (how far the stored knowledge is from explaining
 * {@code p~}) and {@code p_b = (p~ - lam p_a) / (1 - lam)} substituted, the objective is identically
 * {@code lam / (1 - lam) * ||p_a - (K_a + r)||^2 + ||r||^2}. So, whatever the weights, the exact fraction is the
 * Euclidean projection of {@code K_a + r} onto {@code {sum p_a = 1, lo <= p_a <= hi}} with
 * {@code lo_i = max(0, (p~_i - 1 + lam) / lam)} ({@code p_b,i <= 1}) and {@code hi_i = min(1, p~_i / lam)}
 * ({@code p_b,i >= 0}); {@code sum p_b = 1} follows from {@code sum p~ = 1}. That projection separates per
 * class given one scalar {@code nu}: {@code p_a,i = clip(K_a,i + r_i - nu, lo_i, hi_i)} (docs/methods.md's
 * formula), see {@link SimplexProjection#ontoBoxedSimplex}. The mirror statement holds for {@code p_b} (project
 * {@code K_b + r} with {@code lam} and {@code 1 - lam} swapped); the optimum is unique.
 *
 * <h2>The three modes</h2>
 * <ul>
 *   <li>{@link #none}: no fraction (the article's "No OPT" ablation): the image with the larger lambda gets
 *       {@code p~} itself, the other is not updated.</li>
 *   <li>{@link #linear}: the article's OPT2 (its default), docs/methods.md's formula
 *       {@code p_a = (p~ - (1-lam) K_b) / lam}, {@code p_b = (p~ - lam K_a) / (1-lam)}, each projected back
 *       onto the simplex; a side whose weight is below a floor (docs/methods.md: 0.05) is not updated.</li>
 *   <li>{@link #exact}: the article's OPT1, solved exactly by the projection above ({@code O(C log C)}, no
 *       iteration).</li>
 * </ul>
 *
 * <h2>Conventions</h2>
 * Pure functions; arguments are never modified; results are fresh arrays. A side that is not updated is
 * returned as a copy of its stored knowledge with its {@code update} flag false, so a caller may either skip
 * it or apply its EMA unconditionally (an EMA of {@code K} with itself is {@code K}). {@code p~} must be a
 * probability vector: entries {@code >= -1e-6} and sum within {@code 1e-3} of 1 (a softmax in float); it is
 * clipped at 0 and renormalised in double first, because the exact problem is feasible only when
 * {@code sum p~ = 1} and for {@code lam} near 0 or 1 any sum error is amplified by {@code 1/lam} or
 * {@code 1/(1-lam)}. {@code K_a, K_b} are meant to be probability vectors (EMAs of them) but any finite
 * vector is accepted. Single samples are solved in {@code double}; the batch versions take and return
 * {@code float} (as DJL's {@code toFloatArray}), solving each row in {@code double}.
 */
public final class KnowledgeFraction {
    /** docs/methods.md section 6: a side of the {@code linear} fraction whose lambda is below 0.05 is not updated. */
    public static final double LINEAR_LAMBDA_FLOOR = 0.05;

    /** Largest allowed {@code |sum p~ - 1|} before renormalisation. */
    public static final double SUM_TOLERANCE = 1e-3;

    private KnowledgeFraction() {}

    /** The fraction method, as named in a config ({@code none | linear | exact}). */
    public enum Mode {
        /** No fraction: the larger-lambda image gets {@code p~} (the article's "No OPT"). */
        NONE("none", 0.0),
        /** The article's OPT2, projected back onto the simplex; floor 0.05 (docs/methods.md section 6). */
        LINEAR("linear", LINEAR_LAMBDA_FLOOR),
        /** The article's OPT1, solved exactly; by default both sides are updated (floor 0). */
        EXACT("exact", 0.0);

        private final String configName;
        private final double defaultFloor;

        Mode(String configName, double defaultFloor) {
            this.configName = configName;
            this.defaultFloor = defaultFloor;
        }

        /** The name in a config file. */
        public String configName() { return configName; }

        /** The lambda floor this mode uses unless told otherwise (ignored by {@link #NONE}). */
        public double defaultFloor() { return defaultFloor; }

        /** Parses {@code none | linear | exact} (case-insensitive). */
        public static Mode parse(String name) {
            for (Mode m : values()) {
                if (m.configName.equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
                    return m;
                }
            }
            throw new IllegalArgumentException("knowledge fraction must be one of none, linear, exact; got '"
                    + name + "'");
        }
    }

    /**
     * The fraction of one mixed output.
     *
     * @param pA the new knowledge for image a, or a copy of {@code K_a} when {@code updateA} is false
     * @param pB the same for image b
     * @param updateA whether image a's knowledge should be updated from this sample
     * @param updateB whether image b's knowledge should be updated
     * @param equalityResidual {@code max_i |lam pA_i + (1 - lam) pB_i - p~_i|} for the returned pair (with
     *     {@code p~} renormalised, a side not updated counting as its stored knowledge): rounding (about
     *     {@code 1e-16}) for {@code exact} with both sides updated; in general not 0 for {@code linear} and
     *     {@code none} (see {@link #linear}). Arrays compare by reference in the record's {@code equals}.
     */
    public record Fraction(double[] pA, double[] pB, boolean updateA, boolean updateB, double equalityResidual) {}

    /**
     * The fraction of a batch of N mixed outputs, row-major {@code (N, classes)} like the inputs.
     *
     * @param equalityResidual per sample, as {@link Fraction#equalityResidual()} (computed in double, before
     *     the rounding to float)
     */
    public record BatchFraction(int classes, float[] pA, float[] pB, boolean[] updateA, boolean[] updateB,
            double[] equalityResidual) {
        /** The number of samples N. */
        public int size() { return updateA.length; }

        /** The largest equality residual of the batch (0 for an empty batch), e.g. to log per step. */
        public double maxEqualityResidual() {
            double m = 0;
            for (double r : equalityResidual) {
                m = Math.max(m, r);
            }
            return m;
        }
    }

    // ------------------------------------------------------------------------------------------ single sample

    /** {@link #none}, {@link #linear} or {@link #exact} by mode; {@code floor} is ignored by {@code none}. */
    public static Fraction fraction(Mode mode, double[] pMix, double[] kA, double[] kB, double lam, double floor) {
        return switch (mode) {
            case NONE -> none(pMix, kA, kB, lam);
            case LINEAR -> linear(pMix, kA, kB, lam, floor);
            case EXACT -> exact(pMix, kA, kB, lam, floor);
        };
    }

    /**
     * No fraction (docs/methods.md section 6 {@code none}; the article's "No OPT", Table 4 row 2 and Table 5): the
     * image with the larger lambda gets {@code p~} itself, the other is not updated. A tie ({@code lam = 0.5},
     * e.g. a CutMix box of exactly half the image) goes to image a.
     */
    public static Fraction none(double[] pMix, double[] kA, double[] kB, double lam) {
        double[] p = checked(pMix, kA, kB, lam);
        boolean toA = lam >= 0.5;
        double[] pA = toA ? p.clone() : kA.clone();
        double[] pB = toA ? kB.clone() : p.clone();
        return new Fraction(pA, pB, toA, !toA, residual(p, pA, pB, lam));
    }

    /** {@link #linear(double[], double[], double[], double, double)} with docs/methods.md's floor 0.05. */
    public static Fraction linear(double[] pMix, double[] kA, double[] kB, double lam) {
        return linear(pMix, kA, kB, lam, LINEAR_LAMBDA_FLOOR);
    }

    /**
     * The linear fraction, the article's OPT2 (section 1.3, its default) as docs/methods.md section 6 states it:
     * <pre>
     *   p_a = P((p~ - (1 - lam) K_b) / lam),   p_b = P((p~ - lam K_a) / (1 - lam)),
     * </pre>
     * {@code P} the Euclidean projection onto the simplex ({@link SimplexProjection#ontoSimplex}, sort-based).
     * Each side solves the mixing equality with the other image's stored knowledge standing in for that image's
     * true response (the article: 将组知识基直接作为另一幅图像响应的代理估计). A side whose weight is below
     * {@code floor} ({@code lam < floor} for a, {@code 1 - lam < floor} for b), or exactly 0, is not updated:
     * its formula divides by that weight and would amplify the error of the other side's knowledge by
     * {@code (1 - lam) / lam} (the article's error analysis).
     *
     * <p><b>What the equality becomes.</b> Before projection, {@code lam p_a + (1 - lam) K_b = p~} and
     * {@code lam K_a + (1 - lam) p_b = p~} hold exactly, each side paired with the other's stored knowledge;
     * the returned pair itself satisfies {@code lam p_a + (1 - lam) p_b = p~ + r},
     * {@code r = p~ - lam K_a - (1 - lam) K_b}, so it is consistent with {@code p~} only when the stored
     * knowledge already explains {@code p~} ({@code r = 0}). The unprojected vector sums to 1 when {@code K}
     * does, but may have negative entries; the projection then subtracts a {@code theta >= 0} and clips at 0,
     * which moves the vector (by {@code P(v) - v}) and breaks even the per-side equality, by
     * {@code lam (P(v_a) - v_a)} for a. When every entry is already non-negative, the projection is the
     * identity. The returned {@link Fraction#equalityResidual()} reports the joint residual
     * {@code max_i |lam p_a,i + (1 - lam) p_b,i - p~_i|} of the returned pair (a side not updated counting
     * as its stored knowledge).
     *
     * @param floor in {@code [0, 0.5]}, so at least one side is updated
     */
    public static Fraction linear(double[] pMix, double[] kA, double[] kB, double lam, double floor) {
        double[] p = checked(pMix, kA, kB, lam);
        checkFloor(floor);
        int n = p.length;
        boolean upA = lam > 0 && lam >= floor;
        boolean upB = lam < 1 && 1 - lam >= floor;
        double[] pA = kA.clone();
        double[] pB = kB.clone();
        if (upA) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = (p[i] - (1 - lam) * kB[i]) / lam;
            }
            pA = SimplexProjection.ontoSimplex(v);
        }
        if (upB) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = (p[i] - lam * kA[i]) / (1 - lam);
            }
            pB = SimplexProjection.ontoSimplex(v);
        }
        return new Fraction(pA, pB, upA, upB, residual(p, pA, pB, lam));
    }

    /** {@link #exact(double[], double[], double[], double, double)} with floor 0: both sides updated. */
    public static Fraction exact(double[] pMix, double[] kA, double[] kB, double lam) {
        return exact(pMix, kA, kB, lam, 0.0);
    }

    /**
     * The exact fraction, the article's OPT1 (which it solves with a generic differentiable QP layer, OptNet,
     * at 2.1x the training time), solved in closed form as docs/methods.md section 6 derives: the minimiser of
     * {@code lam ||p_a - K_a||^2 + (1 - lam) ||p_b - K_b||^2} subject to
     * {@code lam p_a + (1 - lam) p_b = p~} and both on the simplex (see the class comment):
     * {@code p_a,i = clip(K_a,i + r_i - nu, lo_i, hi_i)}, {@code sum p_a = 1}, {@code p_b = (p~ - lam p_a)/(1-lam)},
     * with {@code nu} found by sorting breakpoints ({@link SimplexProjection#ontoBoxedSimplex}), exact to rounding.
     *
     * <p>Numerics: the side with the smaller weight is projected and the other one follows from the equality,
     * which then divides by a weight of at least 0.5; so both sides stay on the simplex and the equality holds
     * to about {@code 1e-15} even for {@code lam = 1e-6} or {@code 1 - 1e-6} (the mirror formula is used when
     * {@code lam > 0.5}; the optimum is the same). For {@code lam = 1} the equality pins {@code p_a = p~} and
     * says nothing about b, so b is not updated (and symmetrically for {@code lam = 0}).
     *
     * <p>The solution does not depend on {@code floor}: a side is flagged not to update when its weight is
     * below {@code floor} (docs/methods.md gives the floor for {@code linear} only; 0 reproduces OPT1, both sides).
     * Note that for a small {@code lam} the box of {@code p_a} is wide and the exact {@code p_a} is about the
     * simplex projection of {@code K_a + r}: it absorbs the same residual {@code r} as {@code p_b}, although
     * {@code p~} carries almost no information on image a (hence the option of a floor).
     *
     * @param floor in {@code [0, 0.5]}
     */
    public static Fraction exact(double[] pMix, double[] kA, double[] kB, double lam, double floor) {
        double[] p = checked(pMix, kA, kB, lam);
        checkFloor(floor);
        int n = p.length;
        if (lam == 1 || lam == 0) {
            double[] pA = lam == 1 ? p.clone() : kA.clone();
            double[] pB = lam == 1 ? kB.clone() : p.clone();
            return new Fraction(pA, pB, lam == 1, lam == 0, residual(p, pA, pB, lam));
        }
        boolean solveA = lam <= 0.5;
        double w = solveA ? lam : 1 - lam; // weight of the projected side, <= 0.5
        double[] k = solveA ? kA : kB;
        double[] v = new double[n];
        double[] lo = new double[n];
        double[] hi = new double[n];
        for (int i = 0; i < n; i++) {
            double r = p[i] - lam * kA[i] - (1 - lam) * kB[i];
            v[i] = k[i] + r;
            hi[i] = Math.min(1, p[i] / w); // the other side >= 0; >= p[i] also in floating point
            // the other side <= 1; kept <= p[i] so that p~ itself stays feasible under rounding
            lo[i] = Math.min(p[i], Math.max(0, (p[i] - (1 - w)) / w));
        }
        double[] x = SimplexProjection.ontoBoxedSimplex(v, lo, hi);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = Math.max(0, (p[i] - w * x[i]) / (1 - w));
        }
        double[] pA = solveA ? x : y;
        double[] pB = solveA ? y : x;
        boolean upA = lam >= floor;
        boolean upB = 1 - lam >= floor;
        if (!upA) {
            pA = kA.clone();
        }
        if (!upB) {
            pB = kB.clone();
        }
        return new Fraction(pA, pB, upA, upB, residual(p, pA, pB, lam));
    }

    /**
     * The minimiser of the fraction objective under the mixing equality alone (no simplex constraints), in
     * closed form: {@code p_a = K_a + r}, {@code p_b = K_b + r}, {@code r = p~ - lam K_a - (1 - lam) K_b} (both
     * shifted by the same residual; objective {@code ||r||^2}). Not one of the three modes: it is what
     * {@link #exact} returns whenever both vectors are non-negative, and it differs from the article's OPT2
     * ({@code K_a + r / lam}, {@code K_b + r / (1 - lam)}), which is not a least-squares solution.
     *
     * @return {@code {p_a, p_b}}, {@code p~} renormalised first
     */
    public static double[][] equalityLeastSquares(double[] pMix, double[] kA, double[] kB, double lam) {
        double[] p = checked(pMix, kA, kB, lam);
        int n = p.length;
        double[] a = new double[n];
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            double r = p[i] - lam * kA[i] - (1 - lam) * kB[i];
            a[i] = kA[i] + r;
            b[i] = kB[i] + r;
        }
        return new double[][] {a, b};
    }

    /**
     * {@code lam ||pA - refA||^2 + (1 - lam) ||pB - refB||^2}: with the stored knowledge as references, the
     * objective of OPT1/OPT2; with the images' true (unmixed) outputs as references, the fraction loss of
     * docs/methods.md section 6 and the article's Fig. 5.
     */
    public static double fractionLoss(double lam, double[] pA, double[] pB, double[] refA, double[] refB) {
        int n = pA.length;
        if (pB.length != n || refA.length != n || refB.length != n) {
            throw new IllegalArgumentException("fractionLoss: vectors of different lengths");
        }
        double sa = 0;
        double sb = 0;
        for (int i = 0; i < n; i++) {
            double da = pA[i] - refA[i];
            double db = pB[i] - refB[i];
            sa += da * da;
            sb += db * db;
        }
        return lam * sa + (1 - lam) * sb;
    }

    // ------------------------------------------------------------------------------------------------- batch

    /** {@link #batch(Mode, float[], float[], float[], double[], int, double)} with one lambda for the batch. */
    public static BatchFraction batch(Mode mode, float[] pMix, float[] kA, float[] kB, double lam, int classes,
            double floor) {
        int n = rows(pMix, classes);
        double[] lams = new double[n];
        Arrays.fill(lams, lam);
        return batch(mode, pMix, kA, kB, lams, classes, floor);
    }

    /**
     * The fraction of N samples at once: row {@code s} of {@code pMix} (flat, row-major {@code (N, classes)}),
     * mixed with weight {@code lam[s]} from images whose stored knowledge is row {@code s} of {@code kA} and of
     * {@code kB}. Each row is solved in double exactly as the single-sample method of {@code mode}, then rounded
     * to float (so a row sums to 1 within float rounding, about {@code classes * 6e-8}).
     *
     * @param floor the lambda floor ({@link Mode#defaultFloor()} for the mode's default; ignored by none)
     * @throws IllegalArgumentException on inconsistent lengths or an invalid row (the row is named)
     */
    public static BatchFraction batch(Mode mode, float[] pMix, float[] kA, float[] kB, double[] lam, int classes,
            double floor) {
        int n = rows(pMix, classes);
        if (kA == null || kB == null || kA.length != pMix.length || kB.length != pMix.length) {
            throw new IllegalArgumentException("kA and kB must have the length of pMix (" + pMix.length + ")");
        }
        if (lam == null || lam.length != n) {
            throw new IllegalArgumentException("one lambda per sample needed: " + n + " samples, "
                    + (lam == null ? "null" : lam.length + " lambdas"));
        }
        float[] outA = new float[pMix.length];
        float[] outB = new float[pMix.length];
        boolean[] upA = new boolean[n];
        boolean[] upB = new boolean[n];
        double[] res = new double[n];
        double[] p = new double[classes];
        double[] a = new double[classes];
        double[] b = new double[classes];
        for (int s = 0; s < n; s++) {
            int off = s * classes;
            for (int i = 0; i < classes; i++) {
                p[i] = pMix[off + i];
                a[i] = kA[off + i];
                b[i] = kB[off + i];
            }
            Fraction f;
            try {
                f = fraction(mode, p, a, b, lam[s], floor);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("sample " + s + ": " + e.getMessage(), e);
            }
            for (int i = 0; i < classes; i++) {
                outA[off + i] = (float) f.pA()[i];
                outB[off + i] = (float) f.pB()[i];
            }
            upA[s] = f.updateA();
            upB[s] = f.updateB();
            res[s] = f.equalityResidual();
        }
        return new BatchFraction(classes, outA, outB, upA, upB, res);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static int rows(float[] pMix, int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be at least 1, got " + classes);
        }
        if (pMix == null || pMix.length % classes != 0) {
            throw new IllegalArgumentException("pMix length " + (pMix == null ? "null" : pMix.length)
                    + " is not a multiple of classes = " + classes);
        }
        return pMix.length / classes;
    }

    /** Validates the arguments; returns {@code p~} clipped at 0 and renormalised to sum 1. */
    private static double[] checked(double[] pMix, double[] kA, double[] kB, double lam) {
        if (!(lam >= 0 && lam <= 1)) {
            throw new IllegalArgumentException("lambda must be in [0, 1], got " + lam);
        }
        SimplexProjection.requireFinite(pMix, "p~");
        SimplexProjection.requireFinite(kA, "K_a");
        SimplexProjection.requireFinite(kB, "K_b");
        int n = pMix.length;
        if (kA.length != n || kB.length != n) {
            throw new IllegalArgumentException("p~, K_a, K_b must have one length: " + n + ", " + kA.length
                    + ", " + kB.length);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (pMix[i] < -1e-6) {
                throw new IllegalArgumentException("p~ must be a probability vector (a softmax, not logits): p~["
                        + i + "] = " + pMix[i]);
            }
            sum += Math.max(0, pMix[i]);
        }
        if (Math.abs(sum - 1) > SUM_TOLERANCE) {
            throw new IllegalArgumentException("p~ must be a probability vector (a softmax, not logits): it sums to "
                    + sum);
        }
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = Math.max(0, pMix[i]) / sum;
        }
        return p;
    }

    private static void checkFloor(double floor) {
        if (!(floor >= 0 && floor <= 0.5)) {
            throw new IllegalArgumentException("the lambda floor must be in [0, 0.5], got " + floor);
        }
    }

    private static double residual(double[] p, double[] pA, double[] pB, double lam) {
        double m = 0;
        for (int i = 0; i < p.length; i++) {
            m = Math.max(m, Math.abs(lam * pA[i] + (1 - lam) * pB[i] - p[i]));
        }
        return m;
    }
}
