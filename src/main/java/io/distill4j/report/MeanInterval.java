package io.distill4j.report;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A 95% interval of a mean (of paired differences): Student's t by default, or a percentile bootstrap where there
 * are enough values for one to mean something.
 * <ul>
 *   <li>{@link Kind#T}: mean ± t(1 - (1 - level) / 2, n - 1) · s / √n with s the sample standard deviation.</li>
 *   <li>{@link Kind#BOOTSTRAP}: the sample resampled with replacement {@link #RESAMPLES} times from a fixed seed,
 *   between the (1 - level) / 2 and (1 + level) / 2 quantiles of the resampled means. A resampled mean cannot
 *   leave the sample's range, so with few values the interval is at most the range of the values (with 3 seeds,
 *   the smallest and largest difference), far narrower than the uncertainty: it is offered only from
 *   {@link #BOOTSTRAP_MIN_PAIRS} values, and below that the t-interval is used.</li>
 * </ul>
 * Undefined (NaN) below two values: one value has no spread.
 */
public record MeanInterval(double low, double high, double level, Kind kind) {
    public static final int RESAMPLES = 10_000;
    public static final long SEED = 13;
    public static final int BOOTSTRAP_MIN_PAIRS = 10;

    /** How the interval was made. */
    public enum Kind {
        T("t"), BOOTSTRAP("bootstrap");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        /** A kind by its key ({@code t}, {@code bootstrap}), or null. */
        public static Kind of(String key) {
            for (Kind k : values()) {
                if (k.key.equals(key)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** The interval {@code wanted} asks for, with t where a bootstrap would have fewer than 10 values. */
    public static MeanInterval of(double[] sample, Kind wanted) {
        return wanted == Kind.BOOTSTRAP && sample.length >= BOOTSTRAP_MIN_PAIRS ? bootstrap(sample) : t(sample, 0.95);
    }

    /** Student's t interval of the mean at {@code level} (n - 1 degrees of freedom). */
    public static MeanInterval t(double[] sample, double level) {
        int n = sample.length;
        if (n < 2) {
            return new MeanInterval(Double.NaN, Double.NaN, level, Kind.T);
        }
        MeanStd m = MeanStd.of(sample);
        double half = StudentT.quantile(1 - (1 - level) / 2, n - 1) * m.std() / Math.sqrt(n);
        return new MeanInterval(m.mean() - half, m.mean() + half, level, Kind.T);
    }

    public static MeanInterval bootstrap(double[] sample) {
        return bootstrap(sample, 0.95, RESAMPLES, SEED);
    }

    public static MeanInterval bootstrap(double[] sample, double level, int resamples, long seed) {
        int n = sample.length;
        if (n < 2) {
            return new MeanInterval(Double.NaN, Double.NaN, level, Kind.BOOTSTRAP);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] means = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += sample[random.nextInt(n)];
            }
            means[b] = sum / n;
        }
        Arrays.sort(means);
        return new MeanInterval(quantile(means, (1 - level) / 2), quantile(means, (1 + level) / 2), level,
                Kind.BOOTSTRAP);
    }

    /** Linear interpolation between order statistics (R's type 7, numpy's default). */
    static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    public boolean defined() {
        return !Double.isNaN(low);
    }

    /** True when the whole interval lies on one side of {@code value}. */
    public boolean excludes(double value) {
        return defined() && (low > value || high < value);
    }

    /**
     * Half the interval's width: the smallest mean difference these pairs could tell from 0 at this level (a
     * difference of that size with the same spread puts the interval's end at 0).
     */
    public double halfWidth() {
        return (high - low) / 2;
    }

    /** "0.44 to 2.89", or "–" when undefined. */
    public String format() {
        return defined() ? String.format(Locale.ROOT, "%.2f to %.2f", low, high) : "–";
    }

    /** "95% t-interval" or "95% bootstrap interval". */
    public String label() {
        return Math.round(level * 100) + "% " + (kind == Kind.T ? "t-interval" : "bootstrap interval");
    }
}
