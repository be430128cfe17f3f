package io.distill4j.data;

import java.util.SplittableRandom;

/**
 * CutMix (Yun et al. 2019) on a prepared batch: with probability p, lambda ~ Beta(alpha, alpha), a box of
 * area (1 - lambda) at a uniform centre (clipped at the borders) is pasted from a partner sample (a random
 * permutation of the batch, or image i of a second batch) into every view alike; lambda is then the area actually
 * kept.
 */
public final class CutMix {
    private final double probability;
    private final double alpha;

    public CutMix(double probability, double alpha) {
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
        int h = b.height();
        int w = b.width();
        int c = b.channels();
        double lam = beta(alpha, rng);
        double r = Math.sqrt(1 - lam);
        int cw = (int) (w * r);
        int ch = (int) (h * r);
        int cx = rng.nextInt(w);
        int cy = rng.nextInt(h);
        int x0 = Math.max(0, cx - cw / 2);
        int x1 = Math.min(w, cx + cw / 2);
        int y0 = Math.max(0, cy - ch / 2);
        int y1 = Math.min(h, cy + ch / 2);
        Partners p = Partners.of(b, second, rng);
        int sample = c * h * w;
        float[][] views = new float[b.views().length][];
        for (int v = 0; v < views.length; v++) {
            float[] src = p.views()[v];
            float[] dst = b.views()[v].clone();
            for (int i = 0; i < n; i++) {
                int j = p.positions()[i];
                for (int k = 0; k < c; k++) {
                    for (int y = y0; y < y1; y++) {
                        int row = k * h * w + y * w;
                        System.arraycopy(src, j * sample + row + x0, dst, i * sample + row + x0, x1 - x0);
                    }
                }
            }
            views[v] = dst;
        }
        float kept = 1f - (float) ((x1 - x0) * (y1 - y0)) / (w * h);
        return b.withMix(views, p.mix(Mix.Kind.CUTMIX, kept, b));
    }

    /** {@code values[partner[i]]} for every i. */
    static int[] gather(int[] values, int[] partner) {
        int[] out = new int[partner.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[partner[i]];
        }
        return out;
    }

    /** Beta(a, a) from two Gamma(a) draws (Marsaglia and Tsang). */
    static double beta(double a, SplittableRandom rng) {
        double x = gamma(a, rng);
        double y = gamma(a, rng);
        return x / (x + y);
    }

    static double gamma(double a, SplittableRandom rng) {
        if (a < 1) {
            return gamma(a + 1, rng) * Math.pow(rng.nextDouble(), 1 / a);
        }
        double d = a - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = gaussian(rng);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = rng.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
