package io.distill4j.knowledge;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link TopK} against a brute-force sort with the same order (decreasing, ties: the lower index first; NaN above
 * every number), on seeded random inputs drawn from a few values so that ties are the rule, with k from 1 to the
 * length; and, on inputs without NaN, against the two selectors it replaced ({@code GroupKnowledge.encode}'s
 * insertion and {@code TeacherOutputs.encodeRow}'s repeated maximum, copied here as they were), index for index.
 */
class TopKTest {
    /** Few distinct values, signed zeros and infinities included: most inputs have ties. */
    private static final float[] POOL = {Float.NEGATIVE_INFINITY, -3f, -1f, -0f, 0f, 0.25f, 0.5f, 1f, 7f,
        Float.POSITIVE_INFINITY};

    private static float[] randomValues(Random r, int n, boolean nans) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = nans && r.nextInt(8) == 0 ? Float.NaN
                    : r.nextInt(4) == 0 ? (float) r.nextGaussian() : POOL[r.nextInt(POOL.length)];
        }
        return v;
    }

    /** All indices of the range sorted by the documented order, by a stable library sort. */
    private static int[] bruteForce(float[] values, int offset, int length, int k) {
        Comparator<Integer> byRank = (a, b) -> {
            float x = values[offset + a];
            float y = values[offset + b];
            if (Float.isNaN(x) || Float.isNaN(y)) {
                return Boolean.compare(Float.isNaN(y), Float.isNaN(x)); // NaN first; two NaNs tie
            }
            return x > y ? -1 : y > x ? 1 : 0; // as > compares: -0.0 and 0.0 tie
        };
        Integer[] order = new Integer[length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, byRank.thenComparing(Comparator.naturalOrder()));
        return Arrays.stream(order).limit(k).mapToInt(Integer::intValue).toArray();
    }

    private static int[] select(float[] values, int offset, int length, int k) {
        int[] out = new int[k];
        TopK.select(values, offset, length, k, out);
        return out;
    }

    @Test
    void matchesABruteForceSortOnInputsWithManyTies() {
        Random r = new Random(20240611);
        for (int trial = 0; trial < 3000; trial++) {
            int length = 1 + r.nextInt(trial < 2000 ? 12 : 300);
            int offset = r.nextInt(5);
            float[] values = randomValues(r, offset + length + r.nextInt(5), trial % 3 == 0);
            for (int k : new int[] {1, length, 1 + r.nextInt(length)}) {
                assertThat(select(values, offset, length, k))
                        .as("top %d of %s", k, Arrays.toString(Arrays.copyOfRange(values, offset, offset + length)))
                        .containsExactly(bruteForce(values, offset, length, k));
            }
        }
    }

    @Test
    void matchesTheTwoSelectorsItReplacedOnInputsWithoutNaN() {
        Random r = new Random(7);
        for (int trial = 0; trial < 3000; trial++) {
            int length = 1 + r.nextInt(trial < 2000 ? 12 : 300);
            int offset = r.nextInt(5);
            float[] values = randomValues(r, offset + length, false);
            for (int k : new int[] {1, length, 1 + r.nextInt(length)}) {
                int[] got = select(values, offset, length, k);
                assertThat(got).containsExactly(formerInsertion(values, offset, length, k));
                assertThat(got).containsExactly(formerRepeatedMaximum(values, offset, length, k));
            }
        }
    }

    @Test
    void examplesByHand() {
        float[] v = {0.25f, 0.5f, 0.25f, 0.5f, 0f, -0f, 1f};
        assertThat(select(v, 0, v.length, 1)).containsExactly(6);
        assertThat(select(v, 0, v.length, 3)).containsExactly(6, 1, 3);
        assertThat(select(v, 0, v.length, 7)).containsExactly(6, 1, 3, 0, 2, 4, 5); // -0.0 ties with 0.0
        assertThat(select(v, 2, 4, 2)).containsExactly(1, 0); // indices relative to the offset
        float[] nan = {2f, Float.NaN, 3f, Float.NaN};
        assertThat(select(nan, 0, 4, 4)).containsExactly(1, 3, 2, 0);
    }

    @Test
    void refusesAnImpossibleSelection() {
        float[] v = new float[5];
        assertThatThrownBy(() -> TopK.select(v, 0, 5, 0, new int[1])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TopK.select(v, 0, 5, 6, new int[6])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TopK.select(v, 0, 5, 3, new int[2])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TopK.select(v, 1, 5, 3, new int[3])).isInstanceOf(IllegalArgumentException.class);
    }

    /** {@code GroupKnowledge.encode}'s selection before {@link TopK}, unchanged but for the offset. */
    private static int[] formerInsertion(float[] p, int offset, int classes, int k) {
        float[] topValues = new float[k];
        int[] topClasses = new int[k];
        int n = 0;
        for (int c = 0; c < classes; c++) {
            float v = p[offset + c];
            if (n == k && !(v > topValues[k - 1])) {
                continue;
            }
            int j = n == k ? k - 1 : n++;
            while (j > 0 && v > topValues[j - 1]) {
                topValues[j] = topValues[j - 1];
                topClasses[j] = topClasses[j - 1];
                j--;
            }
            topValues[j] = v;
            topClasses[j] = c;
        }
        return topClasses;
    }

    /** {@code TeacherOutputs.encodeRow}'s selection before {@link TopK}, unchanged. */
    private static int[] formerRepeatedMaximum(float[] z, int off, int classes, int k) {
        int[] top = new int[k];
        boolean[] taken = new boolean[classes];
        for (int i = 0; i < k; i++) {
            int best = -1;
            for (int c = 0; c < classes; c++) {
                if (!taken[c] && (best < 0 || z[off + c] > z[off + best])) {
                    best = c;
                }
            }
            taken[best] = true;
            top[i] = best;
        }
        return top;
    }
}
