package io.distill4j.report;

import java.util.SplittableRandom;

/**
 * Two-sided sign-flip (paired permutation) test of "the mean paired difference is 0": under that hypothesis
 * each difference is as likely to have the opposite sign, so p is the fraction of the 2^n sign patterns whose
 * mean is at least as far from 0 as the observed one. Every pattern is enumerated up to {@link #EXACT_UP_TO}
 * pairs; beyond, {@link #DRAWS} random patterns from a fixed seed give p = (hits + 1) / (draws + 1).
 * <p>
 * With n pairs p cannot go below 2 / 2^n (the observed pattern and its mirror): 0.25 with three pairs, and six
 * pairs are the fewest that can give p below 0.05. {@link #smallestPossible} says so to the verdict.
 */
public record SignFlipTest(double p, int n, boolean exact, double smallestPossible) {
    public static final int EXACT_UP_TO = 20;
    public static final int DRAWS = 100_000;
    public static final long SEED = 13;

    public static SignFlipTest of(double[] differences) {
        return of(differences, EXACT_UP_TO, DRAWS, SEED);
    }

    static SignFlipTest of(double[] d, int exactUpTo, int draws, long seed) {
        int n = d.length;
        if (n == 0) {
            return new SignFlipTest(Double.NaN, 0, true, Double.NaN);
        }
        double observed = 0;
        double scale = 0;
        for (double x : d) {
            observed += x;
            scale += Math.abs(x);
        }
        // sums that equal the observed one up to rounding count as "at least as extreme"
        double threshold = Math.abs(observed) - 1e-9 * Math.max(1, scale);
        double floor = 2 / Math.pow(2, n);
        if (n <= exactUpTo) {
            long patterns = 1L << n;
            long hits = 0;
            for (long mask = 0; mask < patterns; mask++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += (mask >>> i & 1) == 0 ? d[i] : -d[i];
                }
                if (Math.abs(s) >= threshold) {
                    hits++;
                }
            }
            return new SignFlipTest((double) hits / patterns, n, true, floor);
        }
        SplittableRandom random = new SplittableRandom(seed);
        long hits = 0;
        for (int b = 0; b < draws; b++) {
            double s = 0;
            for (double x : d) {
                s += random.nextBoolean() ? x : -x;
            }
            if (Math.abs(s) >= threshold) {
                hits++;
            }
        }
        return new SignFlipTest((hits + 1.0) / (draws + 1.0), n, false, Math.max(floor, 1.0 / (draws + 1.0)));
    }

    /** True when p is as small as n pairs can make it: every difference points the same way. */
    public boolean atFloor() {
        return n > 0 && p <= smallestPossible * (1 + 1e-9);
    }

    /** The fewest pairs whose smallest possible p is below {@code alpha}. */
    public static int pairsNeededBelow(double alpha) {
        int n = 1;
        while (2 / Math.pow(2, n) >= alpha) {
            n++;
        }
        return n;
    }
}
