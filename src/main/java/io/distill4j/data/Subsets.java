package io.distill4j.data;

import io.distill4j.util.Seeds;

import java.util.Arrays;

/** Seeded subsets of a dataset's indices. */
public final class Subsets {
    private Subsets() {}

    /** {@code k} distinct indices of {@code 0..n-1}, uniformly at random for the seed, in increasing order. */
    public static int[] randomSubset(int n, int k, long seed) {
        if (k > n || k < 0) {
            throw new IllegalArgumentException("subset of " + k + " from " + n);
        }
        int[] perm = Seeds.permutation(n, Seeds.rng(seed, "subset"));
        int[] out = Arrays.copyOf(perm, k);
        Arrays.sort(out);
        return out;
    }

    /**
     * A seeded hold-out: {@code k} indices of {@code 0..n-1} (first array) and the other {@code n - k} (second),
     * both in increasing order; disjoint, together all of {@code 0..n-1}.
     */
    public static int[][] holdOut(int n, int k, long seed) {
        if (k > n || k < 0) {
            throw new IllegalArgumentException("hold-out of " + k + " from " + n);
        }
        int[] perm = Seeds.permutation(n, Seeds.rng(seed, "validation"));
        int[] held = Arrays.copyOf(perm, k);
        int[] rest = Arrays.copyOfRange(perm, k, n);
        Arrays.sort(held);
        Arrays.sort(rest);
        return new int[][] {held, rest};
    }
}
