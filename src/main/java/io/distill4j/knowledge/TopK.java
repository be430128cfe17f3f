package io.distill4j.knowledge;

/**
 * The one top-k selector, shared by MKF's group knowledge (its top-k store) and {@link TeacherOutputs}'s
 * top-k rows so that both keep the same classes in the same order: what a store holds must not depend on which of
 * them wrote it.
 *
 * <p>The order: decreasing value, and among equal values the lower index first, so that the selection depends on
 * the values alone and not on the algorithm. Values compare as {@code >} does, so {@code 0.0} and {@code -0.0} are
 * equal (a tie). NaN ranks above every number (as in {@link Float#compare} and PyTorch's {@code topk}) and NaNs tie
 * with each other: the order stays a ranking whatever the input, and a NaN (a diverged teacher, say) is kept where it
 * shows rather than folded into the rest.
 *
 * <p>Insertion into a sorted window of k: one pass over the values, each compared first with the k-th kept value,
 * so {@code O(length)} when few values displace earlier ones and {@code O(length * k)} at worst; no allocation.
 */
public final class TopK {
    private TopK() {}

    /**
     * Writes to {@code out[0 .. k)} the indices, relative to {@code offset}, of the {@code k} largest of
     * {@code values[offset .. offset + length)}, largest first, ties: the lower index first (see the class comment).
     *
     * @throws IllegalArgumentException when {@code k} is not in {@code 1..length}, {@code out} is shorter than k, or
     *                                  the range lies outside {@code values}
     */
    public static void select(float[] values, int offset, int length, int k, int[] out) {
        if (k < 1 || k > length || out.length < k || offset < 0 || offset > values.length - length) {
            throw new IllegalArgumentException("top " + k + " of " + length + " values at " + offset + " of "
                    + values.length + " into " + out.length + " indices");
        }
        int n = 0; // indices kept so far, sorted
        for (int i = 0; i < length; i++) {
            float v = values[offset + i];
            if (n == k && !ranksAbove(v, values[offset + out[k - 1]])) {
                continue;
            }
            int j = n == k ? k - 1 : n++;
            while (j > 0 && ranksAbove(v, values[offset + out[j - 1]])) { // a tie stays behind the lower index
                out[j] = out[j - 1];
                j--;
            }
            out[j] = i;
        }
    }

    /** Whether {@code a} ranks strictly above {@code b}: it is greater, or it is NaN and {@code b} is not. */
    private static boolean ranksAbove(float a, float b) {
        return a > b || Float.isNaN(a) && !Float.isNaN(b);
    }
}
