package io.distill4j.util;

import java.util.SplittableRandom;

/**
 * Deterministic random streams derived from the run's seed and a position (stream, epoch, step, ...).
 *
 * <p>Every random decision of a run (shuffling, augmentation, sub-network sampling) draws from a generator
 * made here from where it happens, never from a generator that carries state across steps. Resuming at a
 * global step therefore reproduces exactly the same randomness without saving any RNG state.
 */
public final class Seeds {
    private Seeds() {}

    /** SplitMix64 finaliser: a good 64-bit mix. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Combines a seed with any number of coordinates into one well-mixed 64-bit value. */
    public static long derive(long seed, long... coordinates) {
        long h = mix(seed + 0x9e3779b97f4a7c15L);
        for (long c : coordinates) {
            h = mix(h ^ mix(c + 0x632be59bd9b4e019L));
        }
        return h;
    }

    /** A generator for the given stream name and coordinates. */
    public static SplittableRandom rng(long seed, String stream, long... coordinates) {
        long[] all = new long[coordinates.length + 1];
        all[0] = stream.hashCode();
        System.arraycopy(coordinates, 0, all, 1, coordinates.length);
        return new SplittableRandom(derive(seed, all));
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
    public static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
