package io.distill4j.data;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class NoiseAndMixTest {
    private static ImageDataset dataset(int n, int classes) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
        }
        List<String> names = IntStream.range(0, classes).mapToObj(Integer::toString).toList();
        return new ImageDataset("t", new byte[n * 4], labels, 1, 2, 2, names);
    }

    @Test
    void symmetricNoiseChangesExactlyTheFractionToOtherClasses() {
        ImageDataset ds = dataset(1000, 10);
        LabelNoise.Result r = LabelNoise.apply(ds, 0.4, "symmetric", null, 3);
        assertThat(r.changed()).hasSize(400).isSorted().doesNotHaveDuplicates();
        int differing = 0;
        int[] perClass = new int[10];
        for (int i = 0; i < 1000; i++) {
            if (r.dataset().label(i) != ds.label(i)) {
                differing++;
                perClass[r.dataset().label(i)]++;
            }
        }
        assertThat(differing).isEqualTo(400);
        for (int c : perClass) {
            assertThat(c).isBetween(15, 70); // new labels spread over the classes
        }
        for (int k = 0; k < r.changed().length; k++) {
            assertThat(r.trueLabels()[k]).isEqualTo(ds.label(r.changed()[k]));
        }
        assertThat(LabelNoise.apply(ds, 0.4, "symmetric", null, 3).changed()).containsExactly(r.changed());
        assertThat(LabelNoise.apply(ds, 0.4, "symmetric", null, 4).changed()).isNotEqualTo(r.changed());
    }

    @Test
    void asymmetricNoiseFollowsTheMapping() {
        ImageDataset ds = dataset(100, 3);
        int[] map = {1, 1, 0}; // class 1 stays, 0 -> 1, 2 -> 0
        LabelNoise.Result r = LabelNoise.apply(ds, 0.5, "asymmetric", map, 1);
        for (int i : r.changed()) {
            assertThat(r.dataset().label(i)).isEqualTo(map[ds.label(i)]);
            assertThat(ds.label(i)).isNotEqualTo(1);
        }
        assertThat(r.changed().length).isBetween(20, 45);
    }

    @Test
    void cutMixPastesOneBoxFromThePartnerIntoEveryViewAndLambdaIsTheKeptArea() {
        int n = 6;
        int c = 2;
        int h = 8;
        int w = 8;
        float[][] views = new float[2][n * c * h * w];
        for (int v = 0; v < 2; v++) {
            for (int i = 0; i < views[v].length; i++) {
                views[v][i] = (i / (c * h * w)) * 100 + v * 1000 + (i % (c * h * w)) * 0.001f; // sample id visible
            }
        }
        int[] labels = {0, 1, 2, 3, 4, 5};
        HostBatch b = new HostBatch(views, labels, new int[] {10, 11, 12, 13, 14, 15}, c, h, w);
        HostBatch m = null;
        for (int seed = 0; m == null || !m.mixed() || m.lambda() >= 0.99f; seed++) {
            m = new CutMix(1.0, 1.0).apply(b, new SplittableRandom(seed));
        }
        int sample = c * h * w;
        for (int v = 0; v < 2; v++) {
            for (int i = 0; i < n; i++) {
                int fromPartner = 0;
                for (int k = 0; k < sample; k++) {
                    float got = m.views()[v][i * sample + k];
                    int owner = (int) ((got - v * 1000) / 100);
                    if (owner != i) {
                        assertThat(owner).isEqualTo(m.partnerLabels()[i]); // labels equal sample ids here
                        fromPartner++;
                    }
                }
                if (m.partnerLabels()[i] != i) {
                    // exact: fromPartner / sample = (box area * c) / (h * w * c), the same rational number as
                    // CutMix's area / (h * w), and a division of exact integers rounds it the same way
                    assertThat(1f - (float) fromPartner / sample).isEqualTo(m.lambda());
                }
            }
        }
        float[] t = m.targets(6);
        for (int i = 0; i < n; i++) {
            float sum = 0;
            for (int k = 0; k < 6; k++) {
                sum += t[i * 6 + k];
            }
            // exact: the row holds lambda and fl(1 - lambda) (or their sum at one class) and zeros; fl(1 - lambda) is
            // within half an ulp of 1 (2^-25) of 1 - lambda, so lambda + fl(1 - lambda) rounds to 1 (a tie at
            // 1 - 2^-25 goes to the even 1)
            assertThat(sum).isEqualTo(1f);
            assertThat(t[i * 6 + labels[i]]).isGreaterThanOrEqualTo(m.lambda());
        }
        assertThat(new CutMix(0.0, 1.0).apply(b, new SplittableRandom(1))).isSameAs(b);
    }

    @Test
    void betaSamplesHaveTheRightMean() {
        SplittableRandom rng = new SplittableRandom(9);
        double sum = 0;
        for (int i = 0; i < 20000; i++) {
            double x = CutMix.beta(0.4, rng);
            assertThat(x).isBetween(0.0, 1.0);
            sum += x;
        }
        // Beta(0.4, 0.4): mean 1/2, variance 1 / (4 (2 * 0.4 + 1)) = 0.139; the mean of 20,000 draws has a standard
        // deviation of 0.0026: 5 of them (seeded, and pure Java: the same draws on every machine)
        assertThat(sum / 20000).isCloseTo(0.5, within(5 * Math.sqrt(1 / (4 * (2 * 0.4 + 1)) / 20000)));
    }
}
