package io.distill4j.report;

import java.util.Locale;

/**
 * The plain-language reading of a paired comparison, worded never to claim more than the numbers allow:
 * "better" or "worse" only when the 95% interval excludes 0 and p is at most 0.05; with too few seeds for
 * that (five or fewer: p cannot go below 2 / 2^n), a difference of one sign in every seed whose interval excludes
 * 0 is reported as "higher" or "lower" with the smallest p those seeds can give; anything else is "not
 * distinguishable". Every reading with an interval names the smallest difference the seeds could detect (the
 * interval's half-width).
 */
public final class Verdict {
    public static final double ALPHA = 0.05;
    private static final String[] WORDS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
            "nine", "ten", "eleven", "twelve"};

    private Verdict() {}

    /** {@code mean} and the interval in points of top-1 (variant minus reference). */
    public static String of(String reference, double mean, MeanInterval ci, SignFlipTest test) {
        int n = test.n();
        if (n == 0) {
            return "no seed in common with " + reference + ": not compared";
        }
        if (n == 1) {
            return String.format(Locale.ROOT, "%+.2f points against %s in the one seed pair; one pair allows no "
                    + "interval and no test", mean, reference);
        }
        String seeds = n + " seeds";
        if (ci.excludes(0) && test.p() <= ALPHA) {
            return String.format(Locale.ROOT, "%s %s by %.2f points (%s %.2f to %.2f, p = %s with %s%s)",
                    mean > 0 ? "better than" : "worse than", reference, Math.abs(mean), ci.label(), ci.low(), ci.high(),
                    p(test.p()), seeds, detectable(ci));
        }
        if (test.smallestPossible() > ALPHA && test.atFloor() && ci.excludes(0)) {
            return String.format(Locale.ROOT, "%s %s in each of the %s, by %.2f points on average (%s %.2f to "
                    + "%.2f, p = %s with %s: the smallest p %s pairs can give; %d seeds are the fewest that can "
                    + "give p < %s%s)", mean > 0 ? "higher than" : "lower than", reference, seeds, Math.abs(mean),
                    ci.label(), ci.low(), ci.high(), p(test.p()), seeds, word(n), SignFlipTest.pairsNeededBelow(ALPHA),
                    ALPHA, detectable(ci));
        }
        return String.format(Locale.ROOT, "not distinguishable from %s with %s (%+.2f points, %s %.2f to %.2f, "
                + "p = %s%s)", reference, seeds, mean, ci.label(), ci.low(), ci.high(), p(test.p()), detectable(ci));
    }

    /** The verdict in a few words, for a table cell: better, worse, higher or lower in all n seeds, not distinguishable. */
    public static String brief(double mean, MeanInterval ci, SignFlipTest test) {
        int n = test.n();
        if (n == 0) {
            return "not compared";
        }
        if (n == 1) {
            return "one pair: no test";
        }
        if (ci.excludes(0) && test.p() <= ALPHA) {
            return mean > 0 ? "better" : "worse";
        }
        if (test.smallestPossible() > ALPHA && test.atFloor() && ci.excludes(0)) {
            return (mean > 0 ? "higher" : "lower") + " in all " + n + " seeds";
        }
        return "not distinguishable";
    }

    /** "; smallest detectable ±h points": the smallest mean difference these seeds could tell from 0 (the interval's half-width). */
    static String detectable(MeanInterval ci) {
        return ci.defined() ? String.format(Locale.ROOT, "; smallest detectable ±%.2f points", ci.halfWidth()) : "";
    }

    /** p with two significant digits, and never printed as 0. */
    public static String p(double p) {
        if (Double.isNaN(p)) {
            return "–";
        }
        if (p < 0.001) {
            return "< 0.001";
        }
        if (p >= 0.1) {
            return String.format(Locale.ROOT, "%.2f", p);
        }
        return String.format(Locale.ROOT, "%.2g", p);
    }

    static String word(int n) {
        return n < WORDS.length ? WORDS[n] : Integer.toString(n);
    }
}
