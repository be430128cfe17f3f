package io.distill4j.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * How well a classifier's confidence matches its accuracy (Guo et al., 2017): the expected calibration error over
 * equal-width confidence bins, the negative log-likelihood, the Brier score and the reliability diagram's bins.
 * The confidence of a prediction is its largest probability; its bin is {@code (i/B, (i+1)/B]} (a confidence of 0
 * falls in the first). ECE is {@code sum_b n_b/N |accuracy_b - confidence_b|}. A prediction is correct when the
 * true class's probability is strictly above every other's, as in every evaluation of distill4j.
 *
 * @param ece      expected calibration error, in [0, 1]
 * @param nll      mean negative log-likelihood of the true class (probabilities floored at 1e-12)
 * @param brier    mean over samples of {@code sum_c (p_c - y_c)^2}, in [0, 2]
 * @param top1     fraction correct
 * @param count    samples
 * @param bins     the reliability diagram: every bin, empty ones included
 */
public record Calibration(double ece, double nll, double brier, double top1, long count, List<Bin> bins) {

    /** One confidence bin: its bounds, how many predictions fell in it, their mean confidence and accuracy. */
    public record Bin(double lower, double upper, long count, double confidence, double accuracy) {}

    /** Calibration of {@code probs} (N x classes, row-major) against {@code labels} with {@code bins} bins. */
    public static Calibration of(float[] probs, int[] labels, int bins) {
        int n = labels.length;
        if (n == 0 || probs.length % n != 0 || probs.length == 0) {
            throw new IllegalArgumentException("probabilities " + probs.length + " for " + n + " labels");
        }
        if (bins < 1) {
            throw new IllegalArgumentException("bins " + bins);
        }
        int classes = probs.length / n;
        long[] count = new long[bins];
        double[] confidence = new double[bins];
        double[] correct = new double[bins];
        double nll = 0;
        double brier = 0;
        long hits = 0;
        for (int i = 0; i < n; i++) {
            int off = i * classes;
            int label = labels[i];
            float target = probs[off + label];
            float max = Float.NEGATIVE_INFINITY;
            boolean hit = true;
            for (int c = 0; c < classes; c++) {
                float p = probs[off + c];
                max = Math.max(max, p);
                if (c != label && p >= target) {
                    hit = false;
                }
                double y = c == label ? 1 : 0;
                brier += (p - y) * (p - y);
            }
            int b = Math.min(bins - 1, Math.max(0, (int) Math.ceil(max * (double) bins) - 1));
            count[b]++;
            confidence[b] += max;
            if (hit) {
                correct[b]++;
                hits++;
            }
            nll -= Math.log(Math.max(target, 1e-12));
        }
        double ece = 0;
        List<Bin> out = new ArrayList<>(bins);
        for (int b = 0; b < bins; b++) {
            double conf = count[b] == 0 ? Double.NaN : confidence[b] / count[b];
            double acc = count[b] == 0 ? Double.NaN : correct[b] / count[b];
            if (count[b] > 0) {
                ece += (double) count[b] / n * Math.abs(acc - conf);
            }
            out.add(new Bin((double) b / bins, (double) (b + 1) / bins, count[b], conf, acc));
        }
        return new Calibration(ece, nll / n, brier / n, (double) hits / n, n, List.copyOf(out));
    }
}
