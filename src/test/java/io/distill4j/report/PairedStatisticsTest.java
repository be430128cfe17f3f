package io.distill4j.report;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The paired statistics on synthetic numbers whose answers are known by hand. */
class PairedStatisticsTest {

    @Test
    void meanAndSampleStd() {
        MeanStd m = MeanStd.of(new double[] {1, 2, 3, 4, Double.NaN});
        assertThat(m.n()).isEqualTo(4);
        assertThat(m.mean()).isEqualTo(2.5);
        // Java doubles (no native kernels: the same on every CPU): a handful of roundings of values near 1
        assertThat(m.std()).isCloseTo(Math.sqrt(5.0 / 3), within(16 * Math.ulp(1.0)));
        assertThat(MeanStd.of(new double[] {0.7}).std()).isZero();
        assertThat(MeanStd.of(new double[0]).format(100)).isEqualTo("–");
        assertThat(MeanStd.of(List.of(0.90, 0.92, 0.94)).format(100)).isEqualTo("92.00 ± 2.00");
    }

    @Test
    void signFlipEqualPositiveDifferencesGiveTheSmallestPossibleP() {
        for (int n = 1; n <= 12; n++) {
            double[] d = new double[n];
            Arrays.fill(d, 0.7);
            SignFlipTest t = SignFlipTest.of(d);
            assertThat(t.p()).as("n = %d", n).isEqualTo(2 / Math.pow(2, n));
            assertThat(t.exact()).isTrue();
            assertThat(t.atFloor()).isTrue();
        }
        assertThat(SignFlipTest.of(new double[] {1, 1, 1}).p()).isEqualTo(0.25);
    }

    @Test
    void signFlipSymmetricDifferencesGivePOne() {
        assertThat(SignFlipTest.of(new double[] {1, -1}).p()).isEqualTo(1.0);
        assertThat(SignFlipTest.of(new double[] {2, -2, 0.5, -0.5}).p()).isEqualTo(1.0);
        assertThat(SignFlipTest.of(new double[] {0, 0, 0}).p()).isEqualTo(1.0);
    }

    @Test
    void signFlipCountsPatternsByHand() {
        // observed 4 + 2 - 1 = 5; the sums of ±4 ±2 ±1 are ±7, ±5, ±3, ±1: |sum| >= 5 in 4 of 8 patterns
        assertThat(SignFlipTest.of(new double[] {4, 2, -1}).p()).isEqualTo(0.5);
        // observed 7 is the largest sum: only it and its mirror
        assertThat(SignFlipTest.of(new double[] {1, 2, 4}).p()).isEqualTo(0.25);
        // 0.1 + 0.2 + 0.1 is not exactly 0.4 in floating point: rounding must not break the tie with the mirror
        assertThat(SignFlipTest.of(new double[] {0.1, 0.2, 0.1}).p()).isEqualTo(0.25);
        // observed 2; every sum of ±1 ±3 (±2, ±4) is as far from 0
        assertThat(SignFlipTest.of(new double[] {-1, 3}).p()).isEqualTo(1.0);
        // observed 5 = 7 - 2 S with S the flipped magnitudes: S <= 1 or S >= 6 in 6 of 16 subsets of {1, 2, 3, 1}
        assertThat(SignFlipTest.of(new double[] {1, 2, 3, -1}).p()).isEqualTo(6.0 / 16);
    }

    @Test
    void signFlipMonteCarloBeyondTwentyPairsIsSeededAndCloseToExact() {
        Random r = new Random(1);
        double[] d = new double[20];
        for (int i = 0; i < d.length; i++) {
            d[i] = r.nextGaussian() + 0.3;
        }
        SignFlipTest exact = SignFlipTest.of(d);
        SignFlipTest sampled = SignFlipTest.of(d, 10, 100_000, 7);
        assertThat(exact.exact()).isTrue();
        assertThat(sampled.exact()).isFalse();
        assertThat(sampled.p()).isCloseTo(exact.p(), within(0.01));
        assertThat(SignFlipTest.of(d, 10, 100_000, 7)).isEqualTo(sampled);

        double[] many = new double[30];
        Arrays.fill(many, 1.0);
        SignFlipTest big = SignFlipTest.of(many);
        assertThat(big.exact()).isFalse();
        assertThat(big.p()).isEqualTo(1.0 / (SignFlipTest.DRAWS + 1)); // no random pattern reaches all-positive
    }

    @Test
    void fewestPairsForPBelowFivePercentIsSix() {
        assertThat(SignFlipTest.pairsNeededBelow(0.05)).isEqualTo(6);
        assertThat(SignFlipTest.of(new double[] {1, 1, 1, 1, 1}).p()).isGreaterThan(0.05);
        assertThat(SignFlipTest.of(new double[] {1, 1, 1, 1, 1, 1}).p()).isLessThan(0.05);
    }

    @Test
    void bootstrapOfTwoValuesCoversBoth() {
        // resampled means of {0, 1}: 0 (1/4), 0.5 (1/2), 1 (1/4): the 2.5% and 97.5% quantiles are 0 and 1
        MeanInterval ci = MeanInterval.bootstrap(new double[] {0, 1});
        assertThat(ci.low()).isEqualTo(0.0);
        assertThat(ci.high()).isEqualTo(1.0);
    }

    @Test
    void bootstrapOfEqualValuesIsThatValue() {
        MeanInterval ci = MeanInterval.bootstrap(new double[] {1.2, 1.2, 1.2});
        // means of three equal doubles: 1.2 * 3 / 3 rounds at most twice
        assertThat(ci.low()).isCloseTo(1.2, within(2 * Math.ulp(1.2)));
        assertThat(ci.high()).isCloseTo(1.2, within(2 * Math.ulp(1.2)));
        assertThat(ci.excludes(0)).isTrue();
        assertThat(MeanInterval.bootstrap(new double[] {3}).defined()).isFalse();
        assertThat(MeanInterval.t(new double[] {3}, 0.95).defined()).isFalse();
    }

    @Test
    void bootstrapContainsTheMeanMatchesTheNormalIntervalForLargeSamplesAndIsDeterministic() {
        Random r = new Random(3);
        double[] d = new double[400];
        for (int i = 0; i < d.length; i++) {
            d[i] = 2 + r.nextGaussian();
        }
        MeanStd m = MeanStd.of(d);
        MeanInterval ci = MeanInterval.bootstrap(d);
        double half = 1.96 * m.std() / Math.sqrt(d.length);
        assertThat(ci.low()).isLessThan(m.mean()).isCloseTo(m.mean() - half, within(0.15 * half));
        assertThat(ci.high()).isGreaterThan(m.mean()).isCloseTo(m.mean() + half, within(0.15 * half));
        assertThat(MeanInterval.bootstrap(d)).isEqualTo(ci);
        assertThat(MeanInterval.bootstrap(d, 0.95, MeanInterval.RESAMPLES, 99)).isNotEqualTo(ci);
        double[] small = {0.3, 1.9, 1.1};
        MeanInterval s = MeanInterval.bootstrap(small);
        assertThat(s.low()).isLessThanOrEqualTo(MeanStd.of(small).mean());
        assertThat(s.high()).isGreaterThanOrEqualTo(MeanStd.of(small).mean());
    }

    @Test
    void pairsBySeedAndDropsUnpairedSeeds() {
        PairedDifference d = PairedDifference.of(Map.of(0, 0.85, 1, 0.86, 2, 0.87, 5, 0.9),
                Map.of(0, 0.84, 1, 0.84, 2, 0.84, 3, 0.8), "baseline");
        assertThat(d.seeds()).containsExactly(0, 1, 2);
        assertThat(d.dropped()).containsExactly(3, 5);
        assertThat(d.differences()).hasSize(3);
        // 100 * (0.85 - 0.84): the inputs' own representation error (about 1e-16 each) times 100, and two roundings
        assertThat(d.differences().get(0)).isCloseTo(1.0, within(1e-13));
        assertThat(d.differences().get(2)).isCloseTo(3.0, within(1e-13));
        assertThat(d.stats().mean()).isCloseTo(2.0, within(1e-13));
        assertThat(d.test().p()).isEqualTo(0.25);
        // hand values below are printed to 4 decimals: compared within half their last place, 5e-5
        // differences 1, 2, 3 points: mean 2, s = 1, t(0.975, 2) = 4.3027 (table): 2 ± 4.3027 / √3 = 2 ± 2.4841,
        // an interval that includes 0 although every seed is higher: no verdict of "higher in each seed"
        assertThat(d.interval().kind()).isEqualTo(MeanInterval.Kind.T);
        assertThat(d.interval().low()).isCloseTo(-0.4841, within(5e-5));
        assertThat(d.interval().high()).isCloseTo(4.4841, within(5e-5));
        assertThat(d.verdict()).startsWith("not distinguishable from baseline with 3 seeds (+2.00 points, "
                + "95% t-interval -0.48 to 4.48, p = 0.25; smallest detectable ±2.48 points)");
        // differences 1.9, 2.0, 2.1: s = 0.1, 2 ± 4.3027 · 0.1 / √3 = 2 ± 0.2484: higher in each seed, and says
        // that 3 seeds cannot give p below 0.05
        PairedDifference tight = PairedDifference.of(Map.of(0, 0.859, 1, 0.86, 2, 0.861),
                Map.of(0, 0.84, 1, 0.84, 2, 0.84), "baseline");
        assertThat(tight.interval().low()).isCloseTo(1.7516, within(5e-5));
        assertThat(tight.verdict()).startsWith("higher than baseline in each of the 3 seeds, by 2.00 points")
                .contains("95% t-interval 1.75 to 2.25")
                .contains("p = 0.25 with 3 seeds: the smallest p three pairs can give")
                .contains("6 seeds are the fewest that can give p < 0.05")
                .endsWith("; smallest detectable ±0.25 points)");
    }

    @Test
    void verdictsNeverClaimMoreThanTheNumbersAllow() {
        PairedDifference mixed = PairedDifference.of(Map.of(0, 0.85, 1, 0.83, 2, 0.86),
                Map.of(0, 0.84, 1, 0.84, 2, 0.84), "baseline");
        assertThat(mixed.verdict()).startsWith("not distinguishable from baseline with 3 seeds (+0.67 points");

        Map<Integer, Double> ref = new HashMap<>();
        Map<Integer, Double> worse = new HashMap<>();
        for (int s = 0; s < 8; s++) {
            ref.put(s, 0.80);
            worse.put(s, 0.79 - 0.001 * s);
        }
        PairedDifference w = PairedDifference.of(worse, ref, "baseline");
        assertThat(w.test().p()).isEqualTo(2.0 / 256);
        assertThat(w.verdict()).startsWith("worse than baseline by 1.35 points (95% t-interval")
                .contains("p = 0.0078 with 8 seeds; smallest detectable");

        assertThat(PairedDifference.of(Map.of(0, 0.9), Map.of(0, 0.8), "b").verdict())
                .isEqualTo("+10.00 points against b in the one seed pair; one pair allows no interval and no test");
        assertThat(PairedDifference.of(Map.of(1, 0.9), Map.of(0, 0.8), "b").verdict())
                .isEqualTo("no seed in common with b: not compared");
        assertThat(PairedDifference.of(Map.of(0, 0.9, 1, Double.NaN), Map.of(0, 0.8, 1, 0.8), "b").dropped())
                .containsExactly(1);
    }

    @Test
    void studentTQuantilesMatchThePublishedTable() {
        // two-sided 95% critical values t(0.975, df), as printed in standard tables (e.g. NIST/SEMATECH
        // e-Handbook of Statistical Methods, table 1.3.6.7.2), to their printed 3 decimals
        double[][] table = {{1, 12.706}, {2, 4.303}, {3, 3.182}, {4, 2.776}, {5, 2.571}, {6, 2.447}, {7, 2.365},
                {8, 2.306}, {9, 2.262}, {10, 2.228}, {20, 2.086}, {30, 2.042}, {100, 1.984}};
        for (double[] row : table) {
            assertThat(StudentT.quantile(0.975, row[0])).as("df %s", row[0]).isCloseTo(row[1], within(5e-4));
        }
        // one-sided 95% (t(0.95, df)) and 99.5%
        assertThat(StudentT.quantile(0.95, 5)).isCloseTo(2.015, within(5e-4));
        assertThat(StudentT.quantile(0.995, 5)).isCloseTo(4.032, within(5e-4));
        // df = 1 is Cauchy: quantile tan(π (p - 1/2)) exactly; df = 2 has the closed form
        // t = (2p - 1) / sqrt(2 p (1 - p))
        for (double p : new double[] {0.6, 0.9, 0.975, 0.999}) {
            assertThat(StudentT.quantile(p, 1)).isCloseTo(Math.tan(Math.PI * (p - 0.5)), within(1e-9 * Math.tan(Math.PI * (p - 0.5))));
            // bisection to 1e-15 relative on the incomplete beta function (about 1e-14 accurate near these p)
            assertThat(StudentT.quantile(p, 2)).isCloseTo((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), within(1e-9));
        }
        assertThat(StudentT.quantile(0.025, 4)).isEqualTo(-StudentT.quantile(0.975, 4));
        assertThat(StudentT.cdf(0, 7)).isEqualTo(0.5);
        // large df approach the normal: z(0.975) = 1.959964
        assertThat(StudentT.quantile(0.975, 1e7)).isCloseTo(1.959964, within(1e-5));
    }

    @Test
    void tIntervalsByHand() {
        // n = 2: {0, 1}: mean 0.5, s = 0.7071, t(0.975, 1) = 12.7062: 0.5 ± 12.7062 · 0.7071 / √2 = 0.5 ± 6.3531
        MeanInterval two = MeanInterval.t(new double[] {0, 1}, 0.95);
        assertThat(two.low()).isCloseTo(-5.8531, within(5e-5));
        assertThat(two.high()).isCloseTo(6.8531, within(5e-5));
        // three differences with the README's old 3-seed headline, KD +1.67 ± 0.49 (rounded):
        // 1.67 ± 4.3027 · 0.49 / √3 = 1.67 ± 1.217
        double[] kd = {1.67 - 0.49, 1.67, 1.67 + 0.49}; // mean 1.67, s = 0.49
        MeanInterval ci = MeanInterval.t(kd, 0.95);
        assertThat(ci.format()).isEqualTo("0.45 to 2.89");
        assertThat(ci.halfWidth()).isCloseTo(4.302653 * 0.49 / Math.sqrt(3), within(1e-5));
        // n = 6, every difference 1 apart: {0..5}: mean 2.5, s = 1.8708, t(0.975, 5) = 2.5706: ± 1.9633
        MeanInterval six = MeanInterval.t(new double[] {0, 1, 2, 3, 4, 5}, 0.95);
        assertThat(six.low()).isCloseTo(0.5367, within(5e-5));
        assertThat(six.high()).isCloseTo(4.4633, within(5e-5));
        // equal values: no spread, the interval is the value
        assertThat(MeanInterval.t(new double[] {1.2, 1.2, 1.2}, 0.95).excludes(0)).isTrue();
    }

    @Test
    void aBootstrapIsGivenOnlyFromTenPairs() {
        double[] three = {1, 2, 3};
        assertThat(MeanInterval.of(three, MeanInterval.Kind.BOOTSTRAP).kind()).isEqualTo(MeanInterval.Kind.T);
        // a bootstrap of three values cannot reach beyond them: narrower than the t-interval
        MeanInterval boot = MeanInterval.bootstrap(three);
        assertThat(boot.low()).isGreaterThanOrEqualTo(1.0);
        assertThat(boot.high()).isLessThanOrEqualTo(3.0);
        double[] ten = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertThat(MeanInterval.of(ten, MeanInterval.Kind.BOOTSTRAP)).isEqualTo(MeanInterval.bootstrap(ten));
        assertThat(MeanInterval.of(ten, MeanInterval.Kind.T).kind()).isEqualTo(MeanInterval.Kind.T);
    }

    @Test
    void pValuesArePrintedWithTwoDigitsAndNeverAsZero() {
        assertThat(Verdict.p(0.25)).isEqualTo("0.25");
        assertThat(Verdict.p(1.0)).isEqualTo("1.00");
        assertThat(Verdict.p(0.03125)).isEqualTo("0.031");
        assertThat(Verdict.p(1e-6)).isEqualTo("< 0.001");
    }
}
