package io.distill4j.report;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap interval of a mean: the sample is resampled with replacement {@code resamples} times from
 * a fixed seed (the same numbers give the same interval), and the interval runs between the (1 - level) / 2 and
 * (1 + level) / 2 quantiles of the resampled means. Undefined (NaN) below two values: one value has no spread
 * to resample.
 */
public record BootstrapInterval(double low, double high, double level) {
    public static final int RESAMPLES = 10_000;
    public static final long SEED = 13;

    public static BootstrapInterval ofMean(double[] sample) {
        return ofMean(sample, 0.95, RESAMPLES, SEED);
    }

    public static BootstrapInterval ofMean(double[] sample, double level, int resamples, long seed) {
        int n = sample.length;
        if (n < 2) {
            return new BootstrapInterval(Double.NaN, Double.NaN, level);
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
        return new BootstrapInterval(quantile(means, (1 - level) / 2), quantile(means, (1 + level) / 2), level);
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
}
