package io.distill4j.data;

import io.distill4j.util.Seeds;

import java.util.SplittableRandom;

/**
 * Mixup (Zhang et al. 2018) on a prepared batch: with probability p, lambda ~ Beta(alpha, alpha) and every
 * image becomes {@code lambda * x_i + (1 - lambda) * x_partner(i)} (a random permutation of the batch), every
 * view alike; the targets mix the labels with the same lambda.
 */
public final class Mixup {
    private final double probability;
    private final double alpha;

    public Mixup(double probability, double alpha) {
        this.probability = probability;
        this.alpha = alpha;
    }

    public HostBatch apply(HostBatch b, SplittableRandom rng) {
        if (probability <= 0 || rng.nextDouble() >= probability) {
            return b;
        }
        int n = b.size();
        float lam = (float) CutMix.beta(alpha, rng);
        int[] partner = Seeds.permutation(n, rng);
        int sample = b.channels() * b.height() * b.width();
        float[][] views = new float[b.views().length][];
        for (int v = 0; v < views.length; v++) {
            float[] src = b.views()[v];
            float[] dst = new float[src.length];
            for (int i = 0; i < n; i++) {
                int a = i * sample;
                int p = partner[i] * sample;
                for (int k = 0; k < sample; k++) {
                    dst[a + k] = lam * src[a + k] + (1 - lam) * src[p + k];
                }
            }
            views[v] = dst;
        }
        return b.withMix(views, new Mix(Mix.Kind.MIXUP, CutMix.gather(b.indices(), partner),
                CutMix.gather(b.labels(), partner), lam, partner, b.views()));
    }
}
