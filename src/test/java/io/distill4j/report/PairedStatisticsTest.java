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
        assertThat(m.std()).isCloseTo(Math.sqrt(5.0 / 3), within(1e-12));
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
        BootstrapInterval ci = BootstrapInterval.ofMean(new double[] {0, 1});
        assertThat(ci.low()).isEqualTo(0.0);
        assertThat(ci.high()).isEqualTo(1.0);
    }

    @Test
    void bootstrapOfEqualValuesIsThatValue() {
        BootstrapInterval ci = BootstrapInterval.ofMean(new double[] {1.2, 1.2, 1.2});
        assertThat(ci.low()).isCloseTo(1.2, within(1e-12));
        assertThat(ci.high()).isCloseTo(1.2, within(1e-12));
        assertThat(ci.excludes(0)).isTrue();
        assertThat(BootstrapInterval.ofMean(new double[] {3}).defined()).isFalse();
    }

    @Test
    void bootstrapContainsTheMeanMatchesTheNormalIntervalForLargeSamplesAndIsDeterministic() {
        Random r = new Random(3);
        double[] d = new double[400];
        for (int i = 0; i < d.length; i++) {
            d[i] = 2 + r.nextGaussian();
        }
        MeanStd m = MeanStd.of(d);
        BootstrapInterval ci = BootstrapInterval.ofMean(d);
        double half = 1.96 * m.std() / Math.sqrt(d.length);
        assertThat(ci.low()).isLessThan(m.mean()).isCloseTo(m.mean() - half, within(0.15 * half));
        assertThat(ci.high()).isGreaterThan(m.mean()).isCloseTo(m.mean() + half, within(0.15 * half));
        assertThat(BootstrapInterval.ofMean(d)).isEqualTo(ci);
        assertThat(BootstrapInterval.ofMean(d, 0.95, BootstrapInterval.RESAMPLES, 99)).isNotEqualTo(ci);
        double[] small = {0.3, 1.9, 1.1};
        BootstrapInterval s = BootstrapInterval.ofMean(small);
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
        assertThat(d.differences().get(0)).isCloseTo(1.0, within(1e-9));
        assertThat(d.differences().get(2)).isCloseTo(3.0, within(1e-9));
        assertThat(d.stats().mean()).isCloseTo(2.0, within(1e-9));
        assertThat(d.test().p()).isEqualTo(0.25);
        assertThat(d.interval().low()).isGreaterThan(0.99).isLessThan(2.0);
        assertThat(d.verdict()).startsWith("higher than baseline in each of the 3 seeds, by 2.00 points")
                .contains("p = 0.25 with 3 seeds: the smallest p three pairs can give")
                .contains("6 seeds are the fewest that can give p < 0.05");
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
        assertThat(w.verdict()).startsWith("worse than baseline by 1.35 points (95% CI").endsWith("p = 0.0078 with 8 seeds)");

        assertThat(PairedDifference.of(Map.of(0, 0.9), Map.of(0, 0.8), "b").verdict())
                .isEqualTo("+10.00 points against b in the one seed pair; one pair allows no interval and no test");
        assertThat(PairedDifference.of(Map.of(1, 0.9), Map.of(0, 0.8), "b").verdict())
                .isEqualTo("no seed in common with b: not compared");
        assertThat(PairedDifference.of(Map.of(0, 0.9, 1, Double.NaN), Map.of(0, 0.8, 1, 0.8), "b").dropped())
                .containsExactly(1);
    }

    @Test
    void pValuesArePrintedWithTwoDigitsAndNeverAsZero() {
        assertThat(Verdict.p(0.25)).isEqualTo("0.25");
        assertThat(Verdict.p(1.0)).isEqualTo("1.00");
        assertThat(Verdict.p(0.03125)).isEqualTo("0.031");
        assertThat(Verdict.p(1e-6)).isEqualTo("< 0.001");
    }
}
