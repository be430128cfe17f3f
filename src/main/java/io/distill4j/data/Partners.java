package io.distill4j.data;

import io.distill4j.util.Seeds;

import java.util.SplittableRandom;

/**
 * Where each image of a batch finds the image it is mixed with: a random permutation of the batch itself
 * (drawn from the mixing generator), or image i of a second batch of the same size (nothing drawn).
 */
record Partners(int[] positions, float[][] views, int[] indices, int[] labels) {
    static Partners of(HostBatch b, HostBatch second, SplittableRandom rng) {
        if (second == null) {
            int[] perm = Seeds.permutation(b.size(), rng);
            return new Partners(perm, b.views(), CutMix.gather(b.indices(), perm), CutMix.gather(b.labels(), perm));
        }
        if (second.size() != b.size() || second.views().length != b.views().length || second.mixed()) {
            throw new IllegalArgumentException("a second batch of " + second.size() + " samples cannot be mixed with "
                    + "one of " + b.size());
        }
        int[] identity = new int[b.size()];
        for (int i = 0; i < identity.length; i++) {
            identity[i] = i;
        }
        return new Partners(identity, second.views(), second.indices(), second.labels());
    }

    Mix mix(Mix.Kind kind, float lambda, HostBatch own) {
        return new Mix(kind, indices, labels, lambda, positions, own.views(), views);
    }
}
