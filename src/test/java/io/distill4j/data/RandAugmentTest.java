package io.distill4j.data;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The strong augmentation ({@link RandAugment}) by its invariants: each operation against what it means on small
 * images worked by hand, the draw covering every operation, seeded, and a strong augmenter without operations equal
 * to the weak one draw for draw.
 */
class RandAugmentTest {
    private static final Normalization UNIT = new Normalization(new float[] {0f}, new float[] {1f});

    /** A 1 x 4 x 5 image, pixel 10 y + x + 1. */
    private static byte[] image() {
        byte[] b = new byte[20];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                b[y * 5 + x] = (byte) (10 * y + x + 1);
            }
        }
        return b;
    }

    @Test
    void theIdentityMapReadsEveryPixelItself() {
        byte[] img = image();
        RandAugment.affine(img, 1, 4, 5, 1, 0, 0, 0, 1, 0);
        assertThat(img).isEqualTo(image());
    }

    @Test
    void aTranslationShiftsAndFillsBlack() {
        byte[] img = image();
        RandAugment.affine(img, 1, 4, 5, 1, 0, 2, 0, 1, 0); // the output's x reads the input's x + 2
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                assertThat(img[y * 5 + x]).isEqualTo(x + 2 < 5 ? (byte) (10 * y + x + 3) : 0);
            }
        }
    }

    @Test
    void aQuarterTurnAboutTheCentreOfASquareIsATransposeAndAFlip() {
        byte[] img = new byte[16];
        for (int i = 0; i < 16; i++) {
            img[i] = (byte) (i + 1);
        }
        byte[] src = img.clone();
        // the ROTATE coefficients at 90 degrees: output (x, y) reads input (y, 3 - x)
        double cx = 2;
        RandAugment.affine(img, 1, 4, 4, 0, 1, cx - cx, -1, 0, cx + cx);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                assertThat(img[y * 4 + x]).isEqualTo(src[(3 - x) * 4 + y]);
            }
        }
    }

    @Test
    void blendsAreTheirEndsAtFactorsOneAndZero() {
        byte[] img = image();
        byte[] degenerate = RandAugment.meanGray(img, 1, 20);
        RandAugment.blend(img, degenerate, 1);
        assertThat(img).isEqualTo(image());
        RandAugment.blend(img, degenerate, 0);
        // the mean of 10 y + x + 1 over y < 4, x < 5: 15 + 3 = 18
        assertThat(img).containsOnly((byte) 18);
    }

    @Test
    void theGrayOfAColourImageIsItsLumaOnEachChannel() {
        byte[] rgb = {(byte) 200, 10, 50, 100, 0, (byte) 255};
        byte[] g = RandAugment.gray(rgb, 3, 2);
        int g0 = (int) Math.round(0.299 * 200 + 0.587 * 50 + 0.114 * 0);
        int g1 = (int) Math.round(0.299 * 10 + 0.587 * 100 + 0.114 * 255);
        assertThat(g).containsExactly((byte) g0, (byte) g1, (byte) g0, (byte) g1, (byte) g0, (byte) g1);
        assertThat(RandAugment.gray(image(), 1, 20)).isEqualTo(image());
    }

    @Test
    void autoContrastStretchesEachChannelToTheFullRange() {
        byte[] img = image();
        RandAugment.autoContrast(img, 1, 20);
        assertThat(img[0] & 0xff).isZero(); // 1 -> 0
        assertThat(img[19] & 0xff).isEqualTo(255); // 35 -> 255
        assertThat(img[1] & 0xff).isEqualTo((int) Math.round(255.0 / 34)); // 2 -> 255 / 34
    }

    @Test
    void equalizeSpreadsAHistogramAsPilDoes() {
        // 4 pixels at 0, 4 at 10, 4 at 20, 4 at 30: PIL's step = (16 - 4) / 255 = 0, so the image is unchanged
        byte[] flat = new byte[16];
        for (int i = 0; i < 16; i++) {
            flat[i] = (byte) (10 * (i / 4));
        }
        byte[] same = flat.clone();
        RandAugment.equalize(same, 1, 16);
        assertThat(same).isEqualTo(flat);
        // 1020 pixels, 255 at each of 0, 1, 2, 3: step = (1020 - 255) / 255 = 3; lut[v] = (1 + 255 v) / 3
        byte[] big = new byte[1020];
        for (int i = 0; i < 1020; i++) {
            big[i] = (byte) (i / 255);
        }
        RandAugment.equalize(big, 1, 1020);
        assertThat(big[0] & 0xff).isZero();
        assertThat(big[255] & 0xff).isEqualTo((1 + 255) / 3);
        assertThat(big[510] & 0xff).isEqualTo((1 + 510) / 3);
        assertThat(big[765] & 0xff).isEqualTo((1 + 765) / 3);
    }

    @Test
    void posterizeAndSolarizeWorkOnEachByte() {
        byte[] img = {(byte) 0xff, (byte) 0x8f, 0x0f, 100};
        RandAugment.posterize(img, 4);
        assertThat(img).containsExactly((byte) 0xf0, (byte) 0x80, 0, 96);
        byte[] s = {0, 99, 100, (byte) 255};
        RandAugment.solarize(s, 100);
        assertThat(s).containsExactly(0, 99, (byte) 155, 0);
    }

    @Test
    void theSmoothedImageKeepsItsBorderAndAveragesInside() {
        byte[] img = image();
        byte[] s = RandAugment.smooth(img, 1, 4, 5);
        assertThat(s[0]).isEqualTo(img[0]);
        // pixel (1, 1) = 12: its 3 x 3 neighbourhood sums to 9 * 12 (a linear ramp), plus 4 * 12 for the centre
        assertThat(s[6] & 0xff).isEqualTo(12);
    }

    @Test
    void everyOperationIsDrawnAndTheDrawIsSeeded() {
        Set<RandAugment.Op> seen = EnumSet.noneOf(RandAugment.Op.class);
        RandAugment strong = new RandAugment(2, 0.5, new int[] {77});
        for (int seed = 0; seed < 300; seed++) {
            byte[] a = image();
            byte[] b = image();
            strong.apply(a, 1, 4, 5, new SplittableRandom(seed));
            strong.apply(b, 1, 4, 5, new SplittableRandom(seed));
            assertThat(a).isEqualTo(b);
            SplittableRandom r = new SplittableRandom(seed);
            seen.add(RandAugment.Op.values()[r.nextInt(14)]);
        }
        assertThat(seen).hasSize(14);
    }

    @Test
    void theCutoutIsOneSquareOfTheFillAtMostTheFractionWide() {
        RandAugment cutoutOnly = new RandAugment(0, 0.5, new int[] {77});
        byte[] big = new byte[32 * 32];
        for (int seed = 0; seed < 100; seed++) {
            byte[] img = new byte[big.length];
            cutoutOnly.apply(img, 1, 32, 32, new SplittableRandom(seed));
            int minX = 32;
            int maxX = -1;
            int minY = 32;
            int maxY = -1;
            int count = 0;
            for (int i = 0; i < img.length; i++) {
                if (img[i] == 77) {
                    count++;
                    minX = Math.min(minX, i % 32);
                    maxX = Math.max(maxX, i % 32);
                    minY = Math.min(minY, i / 32);
                    maxY = Math.max(maxY, i / 32);
                }
            }
            if (count > 0) {
                assertThat(count).as("a filled rectangle").isEqualTo((maxX - minX + 1) * (maxY - minY + 1));
                assertThat(Math.max(maxX - minX, maxY - minY) + 1).isLessThanOrEqualTo(16);
            }
        }
    }

    @Test
    void aStrongAugmenterWithoutOperationsIsTheWeakOneDrawForDraw() {
        Augmenter weak = Augmenter.builder(UNIT).padCrop(2).horizontalFlip(0.5).cutout(2).build();
        Augmenter strong = Augmenter.builder(UNIT).padCrop(2).horizontalFlip(0.5).cutout(2).randAugment(0, 0).build();
        for (int seed = 0; seed < 50; seed++) {
            float[] a = new float[20];
            float[] b = new float[20];
            weak.apply(image(), 0, 1, 4, 5, a, 0, new SplittableRandom(seed));
            strong.apply(image(), 0, 1, 4, 5, b, 0, new SplittableRandom(seed));
            assertThat(b).isEqualTo(a);
        }
    }

    @Test
    void aLoadersStrongViewIsStrongAndItsWeakViewIsTheOneViewLoaders() {
        ImageDataset ds = Datasets.embedded().train();
        Normalization n = Normalization.of(ds);
        Augmenter weak = Augmenter.builder(n).padCrop(2).horizontalFlip(0.5).build();
        Augmenter strong = Augmenter.builder(n).padCrop(2).horizontalFlip(0.5).randAugment(2, 0.5).build();
        try (BatchLoader one = new BatchLoader(ds, 16, true, true, weak, 1, 3);
             BatchLoader two = new BatchLoader(ds, 16, true, true, weak, 2, 3).withStrongViews(strong, Set.of(1));
             BatchLoader plain = new BatchLoader(ds, 16, true, true, weak, 2, 3)) {
            HostBatch a = one.batch(0, 0);
            HostBatch b = two.batch(0, 0);
            HostBatch c = plain.batch(0, 0);
            assertThat(b.views()[0]).isEqualTo(a.views()[0]);
            assertThat(b.views()[1]).isNotEqualTo(c.views()[1]);
            assertThat(b.labels()).isEqualTo(a.labels());
        }
    }
}
