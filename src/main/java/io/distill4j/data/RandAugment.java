package io.distill4j.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The strong augmentation of MLKD's code (docs/methods.md section 17): RandAugment as FixMatch draws it, on an
 * image's bytes (C planes of H x W) after its crop and flip. {@code ops} operations are drawn with replacement from
 * the fourteen below, each at a magnitude drawn uniformly from its range, then a square of side up to
 * {@code cutout} of the width is filled with the dataset's mean gray.
 * <ul>
 * <li>identity; auto-contrast (each channel stretched from its min..max to 0..255); equalize (each channel's
 *     histogram, as PIL's {@code ImageOps.equalize});</li>
 * <li>brightness, color, contrast, sharpness at a factor v in [0.05, 0.95]: a blend {@code d + v (img - d)} with a
 *     degenerate image d (black; the gray image, so nothing on one channel; the mean gray; the 3 x 3 smoothed image
 *     (1 1 1 / 1 5 1 / 1 1 1) / 13 with the border kept), as PIL's {@code ImageEnhance};</li>
 * <li>posterize to b in [4, 8] bits; solarize above a threshold in [0, 256];</li>
 * <li>rotate by [-30, 30] degrees, shear x or y by [-0.3, 0.3], translate x or y by [-0.3, 0.3] of the side: an
 *     affine map read at the nearest pixel, black outside the image (PIL's {@code transform}).</li>
 * </ul>
 * Bytes in, bytes out, rounded to the nearest level and clipped: not PIL's bits, the same operations.
 */
public final class RandAugment {
    /** The operations, in the order of FixMatch's pool. */
    enum Op { AUTO_CONTRAST, BRIGHTNESS, COLOR, CONTRAST, EQUALIZE, IDENTITY, POSTERIZE, ROTATE, SHARPNESS, SHEAR_X,
        SHEAR_Y, SOLARIZE, TRANSLATE_X, TRANSLATE_Y }

    private static final Op[] OPS = Op.values();

    private final int ops;
    private final double cutout;
    private final int[] fill;

    /**
     * @param ops    operations a view (0: the cutout alone)
     * @param cutout largest side of the filled square as a fraction of the width (0: none)
     * @param fill   per channel, the byte the square is filled with
     */
    public RandAugment(int ops, double cutout, int[] fill) {
        this.ops = ops;
        this.cutout = cutout;
        this.fill = fill.clone();
    }

    /** Augments {@code img} (C x H x W bytes) in place. */
    public void apply(byte[] img, int c, int h, int w, SplittableRandom rng) {
        for (int k = 0; k < ops; k++) {
            Op op = OPS[rng.nextInt(OPS.length)];
            apply(op, img, c, h, w, rng);
        }
        if (cutout > 0) {
            int side = (int) (rng.nextDouble() * cutout * w);
            int cx = rng.nextInt(w);
            int cy = rng.nextInt(h);
            int x0 = Math.max(0, cx - side / 2);
            int y0 = Math.max(0, cy - side / 2);
            int x1 = Math.min(w, cx - side / 2 + side);
            int y1 = Math.min(h, cy - side / 2 + side);
            for (int ch = 0; ch < c; ch++) {
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        img[(ch * h + y) * w + x] = (byte) fill[ch];
                    }
                }
            }
        }
    }

    /** One operation at a magnitude drawn from its range. */
    static void apply(Op op, byte[] img, int c, int h, int w, SplittableRandom rng) {
        switch (op) {
            case IDENTITY -> { }
            case AUTO_CONTRAST -> autoContrast(img, c, h * w);
            case EQUALIZE -> equalize(img, c, h * w);
            case BRIGHTNESS -> blend(img, new byte[img.length], factor(rng));
            case COLOR -> blend(img, gray(img, c, h * w), factor(rng));
            case CONTRAST -> blend(img, meanGray(img, c, h * w), factor(rng));
            case SHARPNESS -> blend(img, smooth(img, c, h, w), factor(rng));
            case POSTERIZE -> posterize(img, 4 + rng.nextInt(5));
            case SOLARIZE -> solarize(img, rng.nextInt(257));
            case ROTATE -> {
                double a = Math.toRadians(uniform(rng, -30, 30));
                double cos = Math.cos(a);
                double sin = Math.sin(a);
                double cx = w / 2.0;
                double cy = h / 2.0; // the output's pixel (x, y) reads the input at the point rotated back about the centre
                affine(img, c, h, w, cos, sin, cx - cos * cx - sin * cy, -sin, cos, cy + sin * cx - cos * cy);
            }
            case SHEAR_X -> affine(img, c, h, w, 1, uniform(rng, -0.3, 0.3), 0, 0, 1, 0);
            case SHEAR_Y -> affine(img, c, h, w, 1, 0, 0, uniform(rng, -0.3, 0.3), 1, 0);
            case TRANSLATE_X -> affine(img, c, h, w, 1, 0, uniform(rng, -0.3, 0.3) * w, 0, 1, 0);
            case TRANSLATE_Y -> affine(img, c, h, w, 1, 0, 0, 0, 1, uniform(rng, -0.3, 0.3) * h);
            default -> throw new IllegalStateException(op.name());
        }
    }

    private static double factor(SplittableRandom rng) {
        return uniform(rng, 0.05, 0.95);
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    private static int clip(double v) {
        long r = Math.round(v);
        return (int) Math.max(0, Math.min(255, r));
    }

    /** {@code img = d + v (img - d)}. */
    static void blend(byte[] img, byte[] degenerate, double v) {
        for (int i = 0; i < img.length; i++) {
            int d = degenerate[i] & 0xff;
            img[i] = (byte) clip(d + v * ((img[i] & 0xff) - d));
        }
    }

    /** The gray image (ITU-R 601-2 luma, as PIL's "L"), repeated on each channel; one channel is its own gray. */
    static byte[] gray(byte[] img, int c, int plane) {
        if (c != 3) {
            return img.clone();
        }
        byte[] out = new byte[img.length];
        for (int i = 0; i < plane; i++) {
            int g = clip(0.299 * (img[i] & 0xff) + 0.587 * (img[plane + i] & 0xff) + 0.114 * (img[2 * plane + i] & 0xff));
            out[i] = (byte) g;
            out[plane + i] = (byte) g;
            out[2 * plane + i] = (byte) g;
        }
        return out;
    }

    /** Every pixel the gray image's mean, rounded. */
    static byte[] meanGray(byte[] img, int c, int plane) {
        byte[] g = gray(img, c, plane);
        double sum = 0;
        for (int i = 0; i < plane; i++) {
            sum += g[i] & 0xff;
        }
        byte[] out = new byte[img.length];
        Arrays.fill(out, (byte) clip(sum / plane));
        return out;
    }

    /** PIL's SMOOTH filter inside, the border pixels unchanged. */
    static byte[] smooth(byte[] img, int c, int h, int w) {
        byte[] out = img.clone();
        for (int ch = 0; ch < c; ch++) {
            int base = ch * h * w;
            for (int y = 1; y < h - 1; y++) {
                for (int x = 1; x < w - 1; x++) {
                    int sum = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            sum += img[base + (y + dy) * w + x + dx] & 0xff;
                        }
                    }
                    sum += 4 * (img[base + y * w + x] & 0xff); // the centre weighs 5
                    out[base + y * w + x] = (byte) clip(sum / 13.0);
                }
            }
        }
        return out;
    }

    static void autoContrast(byte[] img, int c, int plane) {
        for (int ch = 0; ch < c; ch++) {
            int lo = 255;
            int hi = 0;
            for (int i = ch * plane; i < (ch + 1) * plane; i++) {
                lo = Math.min(lo, img[i] & 0xff);
                hi = Math.max(hi, img[i] & 0xff);
            }
            if (hi <= lo) {
                continue;
            }
            double scale = 255.0 / (hi - lo);
            for (int i = ch * plane; i < (ch + 1) * plane; i++) {
                img[i] = (byte) clip(((img[i] & 0xff) - lo) * scale);
            }
        }
    }

    /** PIL's equalize: each channel's levels spread by its cumulative histogram, the top level's count left out. */
    static void equalize(byte[] img, int c, int plane) {
        for (int ch = 0; ch < c; ch++) {
            int[] hist = new int[256];
            for (int i = ch * plane; i < (ch + 1) * plane; i++) {
                hist[img[i] & 0xff]++;
            }
            int last = 255;
            while (hist[last] == 0) {
                last--;
            }
            int step = (plane - hist[last]) / 255;
            if (step == 0) {
                continue;
            }
            int[] lut = new int[256];
            int n = step / 2;
            for (int v = 0; v < 256; v++) {
                lut[v] = Math.min(255, n / step);
                n += hist[v];
            }
            for (int i = ch * plane; i < (ch + 1) * plane; i++) {
                img[i] = (byte) lut[img[i] & 0xff];
            }
        }
    }

    static void posterize(byte[] img, int bits) {
        int mask = ~((1 << (8 - bits)) - 1) & 0xff;
        for (int i = 0; i < img.length; i++) {
            img[i] = (byte) (img[i] & mask);
        }
    }

    static void solarize(byte[] img, int threshold) {
        for (int i = 0; i < img.length; i++) {
            int v = img[i] & 0xff;
            img[i] = (byte) (v < threshold ? v : 255 - v);
        }
    }

    /**
     * The output's pixel (x, y) reads the input at the pixel holding (a X + b Y + t, d X + e Y + u), where (X, Y) is
     * the output pixel's centre (PIL's affine transform, nearest neighbour); black outside the image.
     */
    static void affine(byte[] img, int c, int h, int w, double a, double b, double t, double d, double e, double u) {
        byte[] src = img.clone();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double cx = x + 0.5;
                double cy = y + 0.5;
                int sx = (int) Math.floor(a * cx + b * cy + t);
                int sy = (int) Math.floor(d * cx + e * cy + u);
                boolean in = sx >= 0 && sx < w && sy >= 0 && sy < h;
                for (int ch = 0; ch < c; ch++) {
                    img[(ch * h + y) * w + x] = in ? src[(ch * h + sy) * w + sx] : 0;
                }
            }
        }
    }
}
