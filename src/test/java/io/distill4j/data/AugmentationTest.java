package io.distill4j.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class AugmentationTest {
    private static final Normalization UNIT = new Normalization(new float[] {0f}, new float[] {1f});

    /** A 1x4x5 image with pixel value 10*y + x + 1 (never 0, so padding is recognisable). */
    private static byte[] image() {
        byte[] b = new byte[20];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                b[y * 5 + x] = (byte) (10 * y + x + 1);
            }
        }
        return b;
    }

    private static float px(int v) {
        return v / 255f;
    }

    @Test
    void normalisationOnlyIsExact() {
        Normalization n = new Normalization(new float[] {0.5f}, new float[] {0.25f});
        float[] out = new float[20];
        Augmenter.none(n).apply(image(), 0, 1, 4, 5, out, 0, new SplittableRandom(1));
        // exact: the Augmenter's table is the same two IEEE float operations, (b / 255f - mean) / std (Java's float
        // arithmetic is the same on every CPU)
        assertThat(out[7]).isEqualTo((px(13) - 0.5f) / 0.25f);
    }

    @Test
    void flipMirrorsEachRow() {
        Augmenter flip = Augmenter.builder(UNIT).horizontalFlip(1.0).build();
        float[] out = new float[20];
        flip.apply(image(), 0, 1, 4, 5, out, 0, new SplittableRandom(3));
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                assertThat(out[y * 5 + x]).isEqualTo(px(10 * y + (4 - x) + 1));
            }
        }
    }

    @Test
    void cropIsAShiftWithinThePaddedImage() {
        Augmenter crop = Augmenter.builder(UNIT).padCrop(2).build();
        Set<String> shifts = new HashSet<>();
        for (int seed = 0; seed < 200; seed++) {
            float[] out = new float[20];
            crop.apply(image(), 0, 1, 4, 5, out, 0, new SplittableRandom(seed));
            // find the shift (dx, dy) in [-2, 2]^2 that explains every output pixel
            boolean found = false;
            for (int dy = -2; dy <= 2 && !found; dy++) {
                for (int dx = -2; dx <= 2 && !found; dx++) {
                    boolean ok = true;
                    for (int y = 0; y < 4 && ok; y++) {
                        for (int x = 0; x < 5 && ok; x++) {
                            int sy = y + dy;
                            int sx = x + dx;
                            float expect = sy >= 0 && sy < 4 && sx >= 0 && sx < 5 ? px(10 * sy + sx + 1) : 0f;
                            ok = out[y * 5 + x] == expect;
                        }
                    }
                    if (ok) {
                        found = true;
                        shifts.add(dx + "," + dy);
                    }
                }
            }
            assertThat(found).as("seed %d", seed).isTrue();
        }
        assertThat(shifts).hasSize(25); // every shift of the 5x5 window occurs
    }

    @Test
    void cutoutZeroesOneSquareAfterNormalisation() {
        Normalization n = new Normalization(new float[] {0.5f}, new float[] {0.25f});
        Augmenter cut = Augmenter.builder(n).cutout(2).build();
        byte[] img = new byte[64];
        Arrays.fill(img, (byte) 255);
        float[] out = new float[64];
        cut.apply(img, 0, 1, 8, 8, out, 0, new SplittableRandom(5));
        int zeros = 0;
        for (float v : out) {
            if (v == 0f) {
                zeros++;
            } else {
                assertThat(v).isEqualTo(2f);
            }
        }
        assertThat(zeros).isBetween(1, 4);
    }

    @Test
    void batchesAreDeterministicAndEveryEpochCoversEverySampleOnce() {
        int n = 50;
        byte[] px = new byte[n * 3 * 4 * 4];
        new SplittableRandom(0).nextBytes(px);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
        }
        ImageDataset ds = new ImageDataset("t", px, labels, 3, 4, 4, List.of("a", "b", "c"));
        Normalization norm = new Normalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.2f, 0.2f, 0.2f});
        Augmenter aug = Augmenter.builder(norm).padCrop(1).horizontalFlip(0.5).build();
        BatchLoader a = new BatchLoader(ds, 16, true, false, aug, 2, 42);
        BatchLoader b = new BatchLoader(ds, 16, true, false, aug, 2, 42);
        assertThat(a.batchesPerEpoch()).isEqualTo(4);
        assertThat(new BatchLoader(ds, 16, true, true, aug, 1, 42).batchesPerEpoch()).isEqualTo(3);
        HostBatch x = a.batch(1, 2);
        HostBatch y = b.batch(1, 2);
        assertThat(x.views()[0]).containsExactly(y.views()[0]);
        assertThat(x.views()[1]).containsExactly(y.views()[1]);
        assertThat(x.indices()).containsExactly(y.indices());
        assertThat(x.views()[0]).isNotEqualTo(x.views()[1]); // two independent views
        assertThat(a.batch(0, 0).indices()).isNotEqualTo(a.batch(1, 0).indices());
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] seen = new int[n];
            for (int i = 0; i < a.batchesPerEpoch(); i++) {
                HostBatch hb = a.batch(epoch, i);
                for (int k = 0; k < hb.size(); k++) {
                    seen[hb.indices()[k]]++;
                    assertThat(hb.labels()[k]).isEqualTo(labels[hb.indices()[k]]);
                }
            }
            assertThat(seen).containsOnly(1);
        }
    }

    @Test
    void subsetsAreSeededAndDistinct() {
        int[] s = Subsets.randomSubset(100, 30, 7);
        assertThat(s).hasSize(30).doesNotHaveDuplicates().isSorted();
        assertThat(Subsets.randomSubset(100, 30, 7)).containsExactly(s);
        assertThat(Subsets.randomSubset(100, 30, 8)).isNotEqualTo(s);
    }
}
