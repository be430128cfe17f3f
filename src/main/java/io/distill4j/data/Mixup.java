package io.distill4j.data;

import java.util.SplittableRandom;

/**
 * Mixup (Zhang et al. 2018) on a prepared batch: with probability p, lambda ~ Beta(alpha, alpha) and every
 * image becomes {@code lambda * x_i + (1 - lambda) * x_partner(i)}, every view alike; the targets mix the labels
 * with the same lambda. The partner is a random permutation of the batch, or image i of a second batch of the
 * same size ({@link #apply(HostBatch, HostBatch, SplittableRandom)}).
 */
public final class Mixup {
    private final double probability;
    private final double alpha;

    public Mixup(double probability, double alpha) {
        this.probability = probability;
        this.alpha = alpha;
    }

    /** The batch mixed with a permutation of itself, or the batch itself (not drawn). */
    public HostBatch apply(HostBatch b, SplittableRandom rng) {
        HostBatch out = apply(b, null, rng);
        return out == null ? b : out;
    }

    /** The batch mixed with {@code second} (null: with a permutation of itself), or null when not drawn. */
    HostBatch apply(HostBatch b, HostBatch second, SplittableRandom rng) {
        if (probability <= 0 || rng.nextDouble() >= probability) {
            return null;
        }
        int n = b.size();
        float lam = (float) CutMix.beta(alpha, rng);
        Partners p = Partners.of(b, second, rng);
        int sample = b.channels() * b.height() * b.width();
        float[][] views = new float[b.views().length][];
        for (int v = 0; v < views.length; v++) {
            float[] src = b.views()[v];
            float[] other = p.views()[v];
            float[] dst = new float[src.length];
            for (int i = 0; i < n; i++) {
                int a = i * sample;
                int q = p.positions()[i] * sample;
                for (int k = 0; k < sample; k++) {
                    dst[a + k] = lam * src[a + k] + (1 - lam) * other[q + k];
                }
            }
            views[v] = dst;
        }
        return b.withMix(views, p.mix(Mix.Kind.MIXUP, lam, b));
    }
}
