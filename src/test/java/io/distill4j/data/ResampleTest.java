package io.distill4j.data;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resampler's two transposed passes give the pixels of the plain row-by-row loop (each output row's source rows
 * summed, then each output pixel's source columns, both in tap order), bit for bit, and its rounding is
 * Math.round's.
 */
class ResampleTest {
    /** The row-by-row loop: vertical sums into a row, then each pixel's horizontal sum, rounded by Math.round. */
    static byte[] rowByRow(ImageDecoder.Rgb img, double x0, double y0, double cw, double ch, int ow, int oh) {
        ImageRecipe.Taps tx = ImageRecipe.taps(img.width(), x0, cw, ow);
        ImageRecipe.Taps ty = ImageRecipe.taps(img.height(), y0, ch, oh);
        byte[] src = img.rgb();
        int span = (tx.last() - tx.first() + 1) * 3;
        byte[] out = new byte[3 * ow * oh];
        for (int y = 0; y < oh; y++) {
            float[] row = new float[span];
            for (int k = 0; k < ty.count()[y]; k++) {
                float wt = ty.weight()[y * ty.width() + k];
                int base = 3 * ((ty.start()[y] + k) * img.width() + tx.first());
                for (int j = 0; j < span; j++) {
                    row[j] += wt * (src[base + j] & 0xff);
                }
            }
            for (int x = 0; x < ow; x++) {
                for (int c = 0; c < 3; c++) {
                    float v = 0;
                    for (int k = 0; k < tx.count()[x]; k++) {
                        v += tx.weight()[x * tx.width() + k] * row[3 * (tx.start()[x] + k - tx.first()) + c];
                    }
                    int i = Math.round(v);
                    out[c * ow * oh + y * ow + x] = (byte) (i < 0 ? 0 : Math.min(i, 255));
                }
            }
        }
        return out;
    }

    @Test
    void theTwoPassesGiveTheRowByRowPixelsBitForBit() {
        SplittableRandom r = new SplittableRandom(7);
        for (int t = 0; t < 200; t++) {
            int w = 20 + r.nextInt(300);
            int h = 20 + r.nextInt(300);
            byte[] px = new byte[3 * w * h];
            r.nextBytes(px);
            ImageDecoder.Rgb img = new ImageDecoder.Rgb(w, h, px);
            double cw = 1 + r.nextDouble() * (w - 1);
            double ch = 1 + r.nextDouble() * (h - 1);
            double x0 = r.nextDouble() * (w - cw);
            double y0 = r.nextDouble() * (h - ch);
            int ow = 1 + r.nextInt(64);
            int oh = 1 + r.nextInt(64);
            assertThat(ImageRecipe.resample(img, x0, y0, cw, ch, ow, oh)).as("trial %d", t)
                    .isEqualTo(rowByRow(img, x0, y0, cw, ch, ow, oh));
        }
    }

    @Test
    void roundingIsMathRoundsForTiesTheirNeighboursAndRandomValues() {
        SplittableRandom r = new SplittableRandom(3);
        for (int k = -4; k <= 520; k++) {
            float tie = k / 2f;
            for (float v : new float[] {tie, Math.nextUp(tie), Math.nextDown(tie)}) {
                assertThat(ImageRecipe.clamp(v)).as("%s", v).isEqualTo(roundClamp(v));
            }
        }
        for (int i = 0; i < 1_000_000; i++) {
            float v = (float) (r.nextDouble() * 300 - 20);
            assertThat(ImageRecipe.clamp(v)).isEqualTo(roundClamp(v));
        }
        assertThat(ImageRecipe.clamp(0.49999997f)).isEqualTo((byte) 0); // where float v + 0.5f would round up
        assertThat(ImageRecipe.clamp(Float.NaN)).isEqualTo((byte) 0);
        assertThat(ImageRecipe.clamp(1e20f)).isEqualTo((byte) 255);
    }

    private static byte roundClamp(float v) {
        int i = Math.round(v);
        return (byte) (i < 0 ? 0 : Math.min(i, 255));
    }
}
