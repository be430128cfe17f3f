package io.distill4j.analysis;

import io.distill4j.FloatBounds;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Calibration and agreement against values computed by hand and against a second, independent computation (each
 * sample's bin found by scanning the bins' bounds; KL from its definition), on random and on degenerate inputs.
 */
class CalibrationAndAgreementTest {

    @Test
    void handComputedCase() {
        // 4 samples, 2 classes, 2 bins: confidences 0.9 (right), 0.8 (wrong), 0.6 (right), 0.5 (right: class 0 at 0.5
        // ties with class 1, so it is wrong)
        float[] p = {0.9f, 0.1f, 0.2f, 0.8f, 0.6f, 0.4f, 0.5f, 0.5f};
        int[] y = {0, 0, 0, 0};
        Calibration c = Calibration.of(p, y, 2);
        // bin (0, .5]: sample 4 (conf .5, wrong); bin (.5, 1]: samples 1-3 (conf .9,.8,.6 -> .7667; acc 2/3)
        assertThat(c.bins().get(0).count()).isEqualTo(1);
        assertThat(c.bins().get(0).accuracy()).isEqualTo(0.0);
        assertThat(c.bins().get(1).count()).isEqualTo(3);
        // against the decimal values: the inputs are floats, each within u of its decimal (relative), the rest is
        // double (2^-53: negligible). Confidence, a mean of three: u; ECE, weights 1/4 and 3/4 of the confidences'
        // errors: u; NLL, -log of each: u (relative error of the argument); Brier, sum (p - y)^2 / 4 over 8 terms:
        // 2 |p - y| u p each, at most 2 u in all
        double u = FloatBounds.U;
        assertThat(c.bins().get(1).confidence()).isCloseTo((0.9 + 0.8 + 0.6) / 3, within(u));
        double ece = 0.25 * Math.abs(0 - 0.5) + 0.75 * Math.abs(2.0 / 3 - (0.9 + 0.8 + 0.6) / 3);
        assertThat(c.ece()).isCloseTo(ece, within(u));
        assertThat(c.top1()).isEqualTo(0.5);
        double nll = -(Math.log(0.9) + Math.log(0.2) + Math.log(0.6) + Math.log(0.5)) / 4;
        assertThat(c.nll()).isCloseTo(nll, within(1.01 * u));
        double brier = (2 * 0.01 + 2 * 0.64 + 2 * 0.16 + 2 * 0.25) / 4;
        assertThat(c.brier()).isCloseTo(brier, within(2 * u));
    }

    @Test
    void matchesAnIndependentBinningOnRandomOutputs() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + rng.nextInt(200);
            int k = 2 + rng.nextInt(9);
            int bins = 1 + rng.nextInt(20);
            float[] p = randomSimplex(rng, n, k);
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = rng.nextInt(k);
            }
            Calibration c = Calibration.of(p, y, bins);
            double ece = 0;
            long total = 0;
            for (int b = 0; b < bins; b++) {
                double lo = (double) b / bins;
                double hi = (double) (b + 1) / bins;
                double conf = 0;
                double right = 0;
                int count = 0;
                for (int i = 0; i < n; i++) {
                    double max = 0;
                    int arg = -1;
                    for (int j = 0; j < k; j++) {
                        if (p[i * k + j] > max) {
                            max = p[i * k + j];
                            arg = j;
                        }
                    }
                    boolean in = b == 0 ? max <= hi : max > lo && max <= hi;
                    if (in) {
                        count++;
                        conf += max;
                        right += arg == y[i] ? 1 : 0; // random floats: no ties
                    }
                }
                total += count;
                assertThat(c.bins().get(b).count()).as("trial %d bin %d", trial, b).isEqualTo(count);
                if (count > 0) {
                    ece += Math.abs(right / count - conf / count) * count / n;
                }
            }
            assertThat(total).isEqualTo(n);
            // two double computations of the same sums (n confidences, at most n terms of ECE, in other orders):
            // within gamma_64(4 n) of ECE's terms, each at most 1
            assertThat(c.ece()).as("trial %d", trial).isCloseTo(ece, within(FloatBounds.gamma64(4L * n + 8)));
        }
    }

    @Test
    void aCalibratedSourceHasSmallEceAndAnOverconfidentOneLarge() {
        SplittableRandom rng = new SplittableRandom(1);
        int n = 20000;
        float[] calibrated = new float[2 * n];
        float[] overconfident = new float[2 * n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double q = 0.5 + 0.5 * rng.nextDouble(); // confidence of class 0
            y[i] = rng.nextDouble() < q ? 0 : 1;     // class 0 is right with probability q
            calibrated[2 * i] = (float) q;
            calibrated[2 * i + 1] = (float) (1 - q);
            overconfident[2 * i] = 0.99f;
            overconfident[2 * i + 1] = 0.01f;
        }
        // statistical, on seeded draws (pure Java: the same on every machine). Calibrated: each of the 8 bins that
        // confidences in [0.5, 1] fill holds about 2,500 samples, whose accuracy has a standard deviation of at most
        // 0.01 around the confidence; ECE, their weighted mean absolute deviation, about 0.007
        assertThat(Calibration.of(calibrated, y, 15).ece()).isLessThan(0.015);
        // overconfident: one bin at 0.99 whose accuracy is the mean of q, 0.75 with a standard deviation of
        // sqrt(0.75 * 0.25 / 20000) = 0.003: ECE 0.24 within 5 of them
        assertThat(Calibration.of(overconfident, y, 15).ece()).isCloseTo(0.24, within(0.015));
    }

    @Test
    void agreementOfIdenticalAndOfOppositeOutputs() {
        SplittableRandom rng = new SplittableRandom(3);
        float[] p = randomSimplex(rng, 100, 5);
        int[] y = new int[100];
        Agreement same = Agreement.of("a", p, "b", p.clone(), y);
        assertThat(same.agreement()).isEqualTo(1.0);
        assertThat(same.klAB()).isZero(); // exact: log(x) - log(x)
        assertThat(same.bothCorrect()).isEqualTo(same.eitherCorrect());

        float[] a = {0.9f, 0.1f, 0.3f, 0.7f};
        float[] b = {0.2f, 0.8f, 0.4f, 0.6f};
        Agreement ab = Agreement.of("a", a, "b", b, new int[] {0, 1});
        assertThat(ab.agreement()).isEqualTo(0.5);              // sample 2 agrees (class 1)
        assertThat(ab.bothCorrect()).isEqualTo(0.5);            // sample 2: both say 1
        assertThat(ab.eitherCorrect()).isEqualTo(1.0);          // sample 1: a is right
        // against the decimals: each float input within u (relative) of its decimal moves a term p log(p / q) by
        // u |p log(p / q)| + 2 u p; the mean over the 2 samples of those sums (Java doubles otherwise)
        double kl1 = 0.9 * Math.log(0.9 / 0.2) + 0.1 * Math.log(0.1 / 0.8);
        double kl2 = 0.3 * Math.log(0.3 / 0.4) + 0.7 * Math.log(0.7 / 0.6);
        double klBound = 1.01 * FloatBounds.U * (Math.abs(0.9 * Math.log(0.9 / 0.2)) + Math.abs(0.1 * Math.log(0.1 / 0.8))
                + Math.abs(0.3 * Math.log(0.3 / 0.4)) + Math.abs(0.7 * Math.log(0.7 / 0.6)) + 2 * 2) / 2;
        assertThat(ab.klAB()).isCloseTo((kl1 + kl2) / 2, within(klBound));
        double lk1 = 0.2 * Math.log(0.2 / 0.9) + 0.8 * Math.log(0.8 / 0.1);
        double lk2 = 0.4 * Math.log(0.4 / 0.3) + 0.6 * Math.log(0.6 / 0.7);
        double lkBound = 1.01 * FloatBounds.U * (Math.abs(lk1 - 0.8 * Math.log(0.8 / 0.1)) + Math.abs(0.8 * Math.log(0.8 / 0.1))
                + Math.abs(0.4 * Math.log(0.4 / 0.3)) + Math.abs(0.6 * Math.log(0.6 / 0.7)) + 2 * 2) / 2;
        assertThat(ab.klBA()).isCloseTo((lk1 + lk2) / 2, within(lkBound));
    }

    static float[] randomSimplex(SplittableRandom rng, int n, int k) {
        float[] p = new float[n * k];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            double[] e = new double[k];
            double sharp = 0.5 + 4 * rng.nextDouble();
            for (int j = 0; j < k; j++) {
                e[j] = Math.exp(sharp * rng.nextGaussian());
                sum += e[j];
            }
            for (int j = 0; j < k; j++) {
                p[i * k + j] = (float) (e[j] / sum);
            }
        }
        return p;
    }
}
