package io.distill4j.methods.terms;

import ai.djl.ndarray.NDManager;
import io.distill4j.FloatBounds;
import io.distill4j.runtime.Checkpoint;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** CRD's memory against its definitions (docs/methods.md, section crd): initial rows, the update, the sampling. */
class ContrastMemoryTest {
    private static final int[] LABELS = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 0, 1};

    @Test
    void rowsStartUniformInPlusMinusOneOverTheRootOfAThirdOfTheDimension() {
        ContrastMemory m = new ContrastMemory("crd/memory", LABELS, 3, 12, 0.5, 1);
        double bound = 1 / Math.sqrt(12 / 3.0);
        for (int side = 0; side < 2; side++) {
            for (int i = 0; i < LABELS.length; i++) {
                for (float v : m.row(side, i)) {
                    assertThat(Math.abs(v)).isLessThanOrEqualTo((float) bound);
                }
            }
        }
        assertThat(m.row(ContrastMemory.STUDENT, 0)).isNotEqualTo(m.row(ContrastMemory.TEACHER, 0));
        assertThat(new ContrastMemory("x", LABELS, 3, 12, 0.5, 1).row(1, 5)).isEqualTo(m.row(1, 5)); // seeded
    }

    @Test
    void updateIsTheNormalisedMomentumAverage() {
        ContrastMemory m = new ContrastMemory("crd/memory", LABELS, 3, 2, 0.25, 3);
        float[] before = m.row(ContrastMemory.TEACHER, 4);
        float[] other = m.row(ContrastMemory.TEACHER, 5);
        float[] v = {0.6f, -0.8f};
        m.update(ContrastMemory.TEACHER, new int[] {4}, v);
        double x = 0.25 * before[0] + 0.75 * v[0];
        double y = 0.25 * before[1] + 0.75 * v[1];
        double n = Math.sqrt(x * x + y * y);
        // the update in float: the blend cast to float (u), its norm in double (a relative u through the cast
        // entries), 1 / norm cast to float (u), the product (u); the expected value cast once more (u): 5 u of a
        // component, taken as 6 u of the unit vector's largest component 1 (pure Java: the same on every machine)
        float[] got = m.row(ContrastMemory.TEACHER, 4);
        assertThat(got[0]).isCloseTo((float) (x / n), within((float) (6 * FloatBounds.U)));
        assertThat(got[1]).isCloseTo((float) (y / n), within((float) (6 * FloatBounds.U)));
        assertThat(m.row(ContrastMemory.TEACHER, 5)).containsExactly(other);
    }

    @Test
    void negativesAreDistinctSamplesOfOtherClassesAndDependOnTheGeneratorAlone() {
        ContrastMemory m = new ContrastMemory("crd/memory", LABELS, 3, 4, 0.5, 1);
        int[] batch = {0, 4, 8, 0};
        int k = 7; // class 0 has 5 samples: 7 of the others for it, 8 for classes 1 and 2
        long[] drawn = m.sample(batch, k, new SplittableRandom(9));
        for (int b = 0; b < batch.length; b++) {
            assertThat(drawn[b * (k + 1)]).isEqualTo(batch[b]);
            Set<Long> seen = new HashSet<>();
            for (int j = 1; j <= k; j++) {
                long i = drawn[b * (k + 1) + j];
                assertThat(LABELS[(int) i]).isNotEqualTo(LABELS[batch[b]]);
                assertThat(seen.add(i)).as("without replacement").isTrue();
            }
        }
        assertThat(m.sample(batch, k, new SplittableRandom(9))).containsExactly(drawn);
        assertThat(ContrastMemory.negativesAvailable(LABELS, 3)).isEqualTo(7);
    }

    @Test
    void everyNegativeIsDrawnAboutEquallyOften() {
        ContrastMemory m = new ContrastMemory("crd/memory", LABELS, 3, 4, 0.5, 1);
        int[] count = new int[LABELS.length];
        SplittableRandom rng = new SplittableRandom(5);
        for (int r = 0; r < 20000; r++) {
            long[] d = m.sample(new int[] {0}, 2, rng);
            count[(int) d[1]]++;
            count[(int) d[2]]++;
        }
        // 7 others of class 0, 2 drawn without replacement each time: each is drawn with probability 2/7 a time,
        // 20,000 times: mean 5714, standard deviation sqrt(20000 * 2/7 * 5/7) = 64; 250 is 3.9 of them (the draws
        // are seeded and pure Java: the same counts on every machine). Class 0 is never drawn: exactly 0
        for (int i = 0; i < LABELS.length; i++) {
            if (LABELS[i] == 0) {
                assertThat(count[i]).isZero();
            } else {
                assertThat(count[i]).isCloseTo(40000 / 7, within(250));
            }
        }
    }

    @Test
    void savedAndLoadedExactly() {
        ContrastMemory a = new ContrastMemory("crd/memory", LABELS, 3, 4, 0.5, 1);
        a.update(ContrastMemory.STUDENT, new int[] {2, 3}, new float[] {1, 2, 3, 4, -1, 0, 0, 1});
        a.normalizer(ContrastMemory.TEACHER, 42.5f);
        Checkpoint c = new Checkpoint();
        a.save(c.section(a.stateName()));
        ContrastMemory b = new ContrastMemory("crd/memory", LABELS, 3, 4, 0.5, 2);
        try (NDManager m = NDManager.newBaseManager()) {
            b.load(c.existingSection("crd/memory"), m);
        }
        for (int i = 0; i < LABELS.length; i++) {
            assertThat(b.row(0, i)).containsExactly(a.row(0, i));
            assertThat(b.row(1, i)).containsExactly(a.row(1, i));
        }
        assertThat(b.normalizer(ContrastMemory.TEACHER, 1f)).isEqualTo(42.5f);
        assertThat(b.normalizer(ContrastMemory.STUDENT, 7f)).isEqualTo(7f); // unset before: set now
    }
}
