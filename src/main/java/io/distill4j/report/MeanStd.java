package io.distill4j.report;

import java.util.Collection;
import java.util.Locale;

/**
 * Mean and sample standard deviation (n - 1) of the finite values of a sample; values that were never measured
 * (NaN) are left out and not counted. The standard deviation of one value is 0, the mean of none NaN.
 */
public record MeanStd(double mean, double std, int n) {
    public static final MeanStd NONE = new MeanStd(Double.NaN, Double.NaN, 0);

    public static MeanStd of(Collection<Double> values) {
        return of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    public static MeanStd of(double[] values) {
        double sum = 0;
        int n = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                sum += v;
                n++;
            }
        }
        if (n == 0) {
            return NONE;
        }
        double mean = sum / n;
        double squares = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                squares += (v - mean) * (v - mean);
            }
        }
        return new MeanStd(mean, n < 2 ? 0 : Math.sqrt(squares / (n - 1)), n);
    }

    /** {@code "92.00 ± 2.00"} for fractions scaled by {@code scale} (100: percent), or "–" when nothing was measured. */
    public String format(double scale) {
        return n == 0 ? "–" : String.format(Locale.ROOT, "%.2f ± %.2f", scale * mean, scale * std);
    }
}
