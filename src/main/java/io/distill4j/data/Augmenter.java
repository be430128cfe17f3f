package io.distill4j.data;

import java.util.SplittableRandom;

/**
 * Per-sample augmentation into normalised float32, seeded: zero padding + random crop back to size, random
 * horizontal flip, normalisation, then Cutout (a square set to zero after normalisation, as in DeVries &
 * Taylor 2017). Works on the raw bytes through a per-channel lookup table, so it costs a few nanoseconds a pixel.
 * A strong augmenter (MLKD's strong views) applies {@link RandAugment} to the cropped and flipped bytes before the
 * normalisation.
 * (DJL's own flip transforms do nothing and its Pad pads only to a square, see ENGINE.md.)
 */
public final class Augmenter {
    private final Normalization norm;
    private final int pad;
    private final double flipProbability;
    private final int cutout;
    private final boolean random;
    private final RandAugment strong;
    private volatile float[][] lut;

    private Augmenter(Normalization norm, int pad, double flipProbability, int cutout, boolean random,
                      RandAugment strong) {
        this.norm = norm;
        this.strong = strong;
        this.random = random;
        this.pad = pad;
        this.flipProbability = flipProbability;
        this.cutout = cutout;
    }

    public static Builder builder(Normalization norm) {
        return new Builder(norm);
    }

    /** Normalisation only (evaluation). */
    public static Augmenter none(Normalization norm) {
        return new Augmenter(norm, 0, 0, 0, false, null);
    }

    /** True for training augmentation (built), false for evaluation's ({@link #none}): streamed images crop by it. */
    public boolean random() {
        return random;
    }

    public static final class Builder {
        private final Normalization norm;
        private int pad;
        private double flip;
        private int cutout;
        private RandAugment strong;

        private Builder(Normalization norm) {
            this.norm = norm;
        }

        public Builder padCrop(int pad) {
            this.pad = pad;
            return this;
        }

        public Builder horizontalFlip(double probability) {
            this.flip = probability;
            return this;
        }

        public Builder cutout(int size) {
            this.cutout = size;
            return this;
        }

        /**
         * Strong views: after the crop and flip, {@code ops} RandAugment operations and a square of side up to
         * {@code cutoutFraction} of the width filled with the normalisation's mean ({@link RandAugment}).
         */
        public Builder randAugment(int ops, double cutoutFraction) {
            int[] fill = new int[norm.mean().length];
            for (int c = 0; c < fill.length; c++) {
                fill[c] = (int) Math.round(norm.mean()[c] * 255.0);
            }
            this.strong = new RandAugment(ops, cutoutFraction, fill);
            return this;
        }

        public Augmenter build() {
            return new Augmenter(norm, pad, flip, cutout, true, strong);
        }
    }

    private float[][] lut(int channels) {
        if (lut == null) {
            if (norm.mean().length != channels) {
                throw new IllegalArgumentException("normalisation has " + norm.mean().length
                        + " channels, images have " + channels);
            }
            float[][] t = new float[channels][256];
            for (int c = 0; c < channels; c++) {
                for (int b = 0; b < 256; b++) {
                    t[c][b] = (b / 255f - norm.mean()[c]) / norm.std()[c];
                }
            }
            lut = t;
        }
        return lut;
    }

    /**
     * The enumerable views of this augmenter: every crop offset (dx, dy) in [-pad, pad]^2 with and without the
     * flip, (2 pad + 1)^2 x 2 of them; a view's code is {@code ((dy + pad) (2 pad + 1) + dx + pad) 2 + flip}.
     * Cutout and strong operations draw outside this set ({@link #enumerable()}).
     */
    public int viewCount() {
        return (2 * pad + 1) * (2 * pad + 1) * 2;
    }

    /** True when every view this augmenter draws is one of {@link #viewCount()} (no Cutout, no strong operations). */
    public boolean enumerable() {
        return cutout == 0 && strong == null;
    }

    public int pad() { return pad; }

    /** The code of view (dx, dy, flip). */
    public int viewCode(int dx, int dy, boolean flip) {
        return ((dy + pad) * (2 * pad + 1) + dx + pad) * 2 + (flip ? 1 : 0);
    }

    /**
     * Writes one augmented, normalised sample (C*H*W floats) at {@code dst[dstOffset]}; returns the code of the
     * crop and flip it drew ({@link #viewCode}).
     */
    public int apply(byte[] src, int srcOffset, int c, int h, int w, float[] dst, int dstOffset,
                     SplittableRandom rng) {
        int dx = pad > 0 ? rng.nextInt(2 * pad + 1) - pad : 0; // crop offset relative to the original
        int dy = pad > 0 ? rng.nextInt(2 * pad + 1) - pad : 0;
        boolean flip = flipProbability > 0 && rng.nextDouble() < flipProbability;
        if (strong == null) {
            render(src, srcOffset, c, h, w, dx, dy, flip, dst, dstOffset);
        } else { // the crop's bytes (0 outside the original), the strong operations, then the table
            int[] cols = columns(w, dx, flip);
            byte[] img = new byte[c * h * w];
            for (int ch = 0; ch < c; ch++) {
                int plane = srcOffset + ch * h * w;
                for (int y = 0; y < h; y++) {
                    int sy = y + dy;
                    if (sy < 0 || sy >= h) {
                        continue;
                    }
                    for (int x = 0; x < w; x++) {
                        if (cols[x] >= 0) {
                            img[(ch * h + y) * w + x] = src[plane + sy * w + cols[x]];
                        }
                    }
                }
            }
            strong.apply(img, c, h, w, rng);
            float[][] table = lut(c);
            for (int ch = 0; ch < c; ch++) {
                float[] t = table[ch];
                for (int k = ch * h * w; k < (ch + 1) * h * w; k++) {
                    dst[dstOffset + k] = t[img[k] & 0xff];
                }
            }
        }
        if (cutout > 0) {
            int cy = rng.nextInt(h);
            int cx = rng.nextInt(w);
            int y0 = Math.max(0, cy - cutout / 2);
            int y1 = Math.min(h, cy - cutout / 2 + cutout);
            int x0 = Math.max(0, cx - cutout / 2);
            int x1 = Math.min(w, cx - cutout / 2 + cutout);
            for (int ch = 0; ch < c; ch++) {
                for (int y = y0; y < y1; y++) {
                    int base = dstOffset + ch * h * w + y * w;
                    for (int x = x0; x < x1; x++) {
                        dst[base + x] = 0f;
                    }
                }
            }
        }
        return viewCode(dx, dy, flip);
    }

    /** The crop and flip's source column of each output column, or -1 outside the original. */
    private static int[] columns(int w, int dx, boolean flip) {
        int[] cols = new int[w];
        for (int x = 0; x < w; x++) {
            int sx = (flip ? w - 1 - x : x) + dx;
            cols[x] = sx >= 0 && sx < w ? sx : -1;
        }
        return cols;
    }

    /** View (dx, dy, flip) of one sample, normalised, at {@code dst[dstOffset]}: what {@link #apply} draws. */
    public void render(byte[] src, int srcOffset, int c, int h, int w, int dx, int dy, boolean flip, float[] dst,
                       int dstOffset) {
        float[][] table = lut(c);
        int[] cols = columns(w, dx, flip);
        for (int ch = 0; ch < c; ch++) { // straight into floats through the table
            float[] t = table[ch];
            float zero = t[0];
            int plane = srcOffset + ch * h * w;
            int out = dstOffset + ch * h * w;
            for (int y = 0; y < h; y++) {
                int sy = y + dy;
                boolean rowIn = sy >= 0 && sy < h;
                int row = plane + sy * w;
                for (int x = 0; x < w; x++) {
                    dst[out + y * w + x] = rowIn && cols[x] >= 0 ? t[src[row + cols[x]] & 0xff] : zero;
                }
            }
        }
    }
}
