package io.distill4j.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How a streamed image file becomes the network's (3, H, W) input bytes, before {@link Augmenter} flips,
 * pads, normalises and cuts out.
 * <ul>
 *   <li>{@code pad}: the whole image resized to H x W, in training and evaluation alike (the in-memory datasets'
 *   way; {@code data.pad_crop} then crops);</li>
 *   <li>{@code random-resized}: training takes a random region of {@code scale} of the area and {@code ratio}
 *   aspect ratio (torchvision's RandomResizedCrop: ten tries, then a centre crop), evaluation resizes the shorter
 *   side to {@code evalResize} and takes the centre H x W.</li>
 * </ul>
 * Resampling is bilinear, widened when shrinking (antialiased, as PIL's). Colour jitter (training only): brightness,
 * contrast and saturation each scaled by a factor in [1 - j, 1 + j], in that order.
 */
public record ImageRecipe(String crop, double scaleMin, double scaleMax, double ratioMin, double ratioMax,
                          int evalResize, double jitter) {
    public static final String PAD = "pad";
    public static final String RANDOM_RESIZED = "random-resized";

    /** The training input of {@code img}, drawing from {@code rng}. */
    public byte[] train(ImageDecoder.Rgb img, int h, int w, SplittableRandom rng) {
        return input(img, trainRegion(img.width(), img.height(), rng), h, w, rng);
    }

    /** The evaluation input of {@code img}. */
    public byte[] eval(ImageDecoder.Rgb img, int h, int w) {
        return input(img, evalRegion(img.width(), img.height(), h, w), h, w, null);
    }

    /** The region (x, y, width, height) of a width x height image that training takes, drawing from {@code rng}. */
    public double[] trainRegion(int width, int height, SplittableRandom rng) {
        return crop.equals(PAD) ? new double[] {0, 0, width, height} : randomRegion(width, height, rng);
    }

    /** The region of a width x height image that evaluation takes for an h x w input. */
    public double[] evalRegion(int width, int height, int h, int w) {
        if (crop.equals(PAD)) {
            return new double[] {0, 0, width, height};
        }
        int resize = evalResize > 0 ? evalResize : (int) Math.round(Math.min(h, w) / 0.875);
        double s = Math.min(width, height) / (double) resize; // source pixels per resized pixel
        double cw = Math.min(width, w * s);
        double ch = Math.min(height, h * s);
        return new double[] {(width - cw) / 2, (height - ch) / 2, cw, ch};
    }

    /** Pixels around a region that resampling it to h x w reads. */
    public static int margin(double[] region, int h, int w) {
        return (int) Math.ceil(Math.max(1, Math.max(region[2] / w, region[3] / h))) + 2;
    }

    /** {@code region} of {@code img} resampled to h x w, then jittered in training ({@code rng} not null). */
    public byte[] input(ImageDecoder.Rgb img, double[] region, int h, int w, SplittableRandom rng) {
        byte[] out = resample(img, region[0], region[1], region[2], region[3], w, h);
        if (rng != null && jitter > 0) {
            jitter(out, rng);
        }
        return out;
    }

    /** x, y, width, height of a random region as torchvision's RandomResizedCrop draws it. */
    double[] randomRegion(int width, int height, SplittableRandom rng) {
        double area = (double) width * height;
        double logMin = Math.log(ratioMin);
        double logMax = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (scaleMin + (scaleMax - scaleMin) * rng.nextDouble());
            double aspect = Math.exp(logMin + (logMax - logMin) * rng.nextDouble());
            long cw = Math.round(Math.sqrt(target * aspect));
            long ch = Math.round(Math.sqrt(target / aspect));
            if (cw > 0 && cw <= width && ch > 0 && ch <= height) {
                int y = rng.nextInt((int) (height - ch + 1));
                int x = rng.nextInt((int) (width - cw + 1));
                return new double[] {x, y, cw, ch};
            }
        }
        double in = (double) width / height;
        double cw = width;
        double ch = height;
        if (in < ratioMin) {
            ch = Math.round(cw / ratioMin);
        } else if (in > ratioMax) {
            cw = Math.round(ch * ratioMax);
        }
        return new double[] {(width - cw) / 2, (height - ch) / 2, cw, ch};
    }

    /**
     * The region (x0, y0, cw, ch) of {@code img} resampled to ow x oh, channel-first: each output row filtered
     * vertically over the columns used first (contiguous loops the compiler vectorises), then horizontally.
     */
    /** Each decoding thread's buffer between the two passes of {@link #resample} (grown as needed, kept). */
    private static final ThreadLocal<float[]> BETWEEN = ThreadLocal.withInitial(() -> new float[0]);
    /** Output rows of the vertical pass transposed together: 16 floats, one 64-byte cache line. */
    private static final int BLOCK = 16;

    /**
     * The region resampled to ow x oh, planar RGB. Two separable passes, each a multiply-add over contiguous floats
     * that the JIT vectorises: the vertical pass sums each output row's source rows along the region's width and
     * writes its row transposed (a column of {@code between} per channel-interleaved source column); the
     * horizontal pass then sums each output column's source columns along the output's height. Every output value is
     * {@code sum_k wx_k (sum_l wy_l p_l)} with both sums in tap order, as a row-by-row loop computes it: the same
     * pixels.
     */
    static byte[] resample(ImageDecoder.Rgb img, double x0, double y0, double cw, double ch, int ow, int oh) {
        Taps tx = taps(img.width(), x0, cw, ow);
        Taps ty = taps(img.height(), y0, ch, oh);
        int srcW = img.width();
        byte[] src = img.rgb();
        int colFrom = tx.first;
        int span = (tx.last - colFrom + 1) * 3;
        float[] between = BETWEEN.get();
        if (between.length < span * oh) {
            between = new float[span * oh];
            BETWEEN.set(between);
        }
        float[] rows = new float[BLOCK * span]; // BLOCK output rows at a time, transposed a cache line at once
        for (int from = 0; from < oh; from += BLOCK) {
            int n = Math.min(BLOCK, oh - from);
            Arrays.fill(rows, 0f);
            for (int b = 0; b < n; b++) {
                int y = from + b;
                int ky = y * ty.width;
                for (int k = 0; k < ty.count[y]; k++) {
                    float wt = ty.weight[ky + k];
                    int base = 3 * ((ty.start[y] + k) * srcW + colFrom);
                    int at = b * span;
                    for (int j = 0; j < span; j++) {
                        rows[at + j] += wt * (src[base + j] & 0xff);
                    }
                }
            }
            for (int j = 0; j < span; j++) {
                int to = j * oh + from;
                for (int b = 0; b < n; b++) {
                    between[to + b] = rows[b * span + j];
                }
            }
        }
        byte[] out = new byte[3 * ow * oh];
        int plane = ow * oh;
        float[] column = new float[oh];
        for (int c = 0; c < 3; c++) {
            for (int x = 0; x < ow; x++) {
                Arrays.fill(column, 0f);
                int kx = x * tx.width;
                for (int k = 0; k < tx.count[x]; k++) {
                    float wt = tx.weight[kx + k];
                    int base = (3 * (tx.start[x] + k - colFrom) + c) * oh;
                    for (int y = 0; y < oh; y++) {
                        column[y] += wt * between[base + y];
                    }
                }
                int o = c * plane + x;
                for (int y = 0; y < oh; y++) {
                    out[o + y * ow] = clamp(column[y]);
                }
            }
        }
        return out;
    }

    /** {@code v} rounded half up and clamped to [0, 255]: Math.round(float)'s value, computed exactly in double. */
    static byte clamp(float v) {
        int i = (int) Math.floor(v + 0.5); // v + 0.5 is exact in double, and so is its floor
        return (byte) (i < 0 ? 0 : Math.min(i, 255));
    }

    /** Per output pixel: the first source pixel, how many, and their weights (a triangle filter). */
    record Taps(int[] start, int[] count, float[] weight, int width, int first, int last) {}

    static Taps taps(int size, double from, double length, int out) {
        double scale = length / out;
        double support = Math.max(1.0, scale); // widen the kernel when shrinking
        int width = (int) Math.ceil(support) * 2 + 1;
        int[] start = new int[out];
        int[] count = new int[out];
        float[] weight = new float[out * width];
        int first = Integer.MAX_VALUE;
        int last = 0;
        for (int i = 0; i < out; i++) {
            double centre = from + (i + 0.5) * scale;
            int lo = Math.max(0, (int) Math.floor(centre - support));
            int hi = Math.min(size - 1, (int) Math.ceil(centre + support));
            double sum = 0;
            int n = 0;
            for (int j = lo; j <= hi && n < width; j++) {
                double t = Math.abs(j + 0.5 - centre) / support;
                double wt = Math.max(0, 1 - t);
                weight[i * width + n++] = (float) wt;
                sum += wt;
            }
            if (sum <= 0) { // a region thinner than a pixel: the nearest one
                lo = Math.min(size - 1, Math.max(0, (int) Math.floor(centre)));
                n = 1;
                weight[i * width] = 1f;
                sum = 1;
            }
            for (int k = 0; k < n; k++) {
                weight[i * width + k] /= (float) sum;
            }
            start[i] = lo;
            count[i] = n;
            first = Math.min(first, lo);
            last = Math.max(last, lo + n - 1);
        }
        return new Taps(start, count, weight, width, first, last);
    }

    /** Brightness, contrast and saturation jitter on channel-first RGB bytes. */
    private void jitter(byte[] px, SplittableRandom rng) {
        int plane = px.length / 3;
        double brightness = 1 + jitter * (2 * rng.nextDouble() - 1);
        double contrast = 1 + jitter * (2 * rng.nextDouble() - 1);
        double saturation = 1 + jitter * (2 * rng.nextDouble() - 1);
        float[] v = new float[px.length];
        double graySum = 0;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                v[c * plane + i] = (float) Math.min(255, (px[c * plane + i] & 0xff) * brightness);
            }
            graySum += 0.299 * v[i] + 0.587 * v[plane + i] + 0.114 * v[2 * plane + i];
        }
        float mean = (float) (graySum / plane);
        for (int i = 0; i < px.length; i++) {
            v[i] = Math.max(0, Math.min(255, (float) (mean + contrast * (v[i] - mean))));
        }
        for (int i = 0; i < plane; i++) {
            float gray = 0.299f * v[i] + 0.587f * v[plane + i] + 0.114f * v[2 * plane + i];
            for (int c = 0; c < 3; c++) {
                px[c * plane + i] = clamp((float) (gray + saturation * (v[c * plane + i] - gray)));
            }
        }
    }
}
