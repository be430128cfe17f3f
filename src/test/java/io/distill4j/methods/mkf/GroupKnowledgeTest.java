package io.distill4j.methods.mkf;

import ai.djl.ndarray.NDManager;
import io.distill4j.FloatBounds;
import io.distill4j.UserError;
import io.distill4j.knowledge.Float16;
import io.distill4j.methods.mkf.GroupKnowledge.Mode;
import io.distill4j.runtime.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GroupKnowledgeTest {
    @TempDir
    Path dir;

    // ------------------------------------------------------------------------------------------------------ fp16

    @Test
    void halfConversionGivesKnownBitPatterns() {
        assertThat(h(1f)).isEqualTo(0x3C00);
        assertThat(h(0.5f)).isEqualTo(0x3800);
        assertThat(h(-2f)).isEqualTo(0xC000);
        assertThat(h(0f)).isEqualTo(0x0000);
        assertThat(h(-0f)).isEqualTo(0x8000);
        assertThat(h(1f / 3)).isEqualTo(0x3555);
        assertThat(h(0.1f)).isEqualTo(0x2E66);
        assertThat(h(0x1p-24f)).isEqualTo(0x0001); // the smallest subnormal
        assertThat(h(0x1p-14f - 0x1p-24f)).isEqualTo(0x03FF); // the largest subnormal
        assertThat(h(0x1p-14f)).isEqualTo(0x0400); // the smallest normal
        assertThat(h(65504f)).isEqualTo(0x7BFF); // the largest finite half
        assertThat(h(65519f)).isEqualTo(0x7BFF);
        assertThat(h(65520f)).isEqualTo(0x7C00); // rounds to infinity
        assertThat(h(1e6f)).isEqualTo(0x7C00);
        assertThat(h(-1e6f)).isEqualTo(0xFC00);
        assertThat(h(Float.POSITIVE_INFINITY)).isEqualTo(0x7C00);
        assertThat(h(Float.NEGATIVE_INFINITY)).isEqualTo(0xFC00);
        assertThat(Float16.toFloat(Float16.toHalf(Float.NaN))).isNaN();
        assertThat(h(Float.MIN_VALUE)).isEqualTo(0x0000); // float subnormals underflow
        // round to nearest, ties to even
        assertThat(h(1f + 0x1p-11f)).isEqualTo(0x3C00); // tie between 0x3C00 and 0x3C01: even, down
        assertThat(h(1f + 3 * 0x1p-11f)).isEqualTo(0x3C02); // tie between 0x3C01 and 0x3C02: even, up
        assertThat(h(1f + 0x1p-11f + 0x1p-20f)).isEqualTo(0x3C01); // just above the tie
        assertThat(h(2049f)).isEqualTo(0x6800); // 2048 and 2050 are halves: tie, even
        assertThat(h(0x1p-25f)).isEqualTo(0x0000); // half the smallest subnormal: tie, even (zero)
        assertThat(h(0x1p-25f * (1 + 0x1p-23f))).isEqualTo(0x0001);
        assertThat(h(3 * 0x1p-25f)).isEqualTo(0x0002);
        assertThat(h(0x1p-14f - 0x1p-25f)).isEqualTo(0x0400); // tie above the largest subnormal: up to normal
        assertThat(Float16.toFloat((short) 0x3C00)).isEqualTo(1f);
        assertThat(Float16.toFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(Float16.toFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(Float16.toFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(Float.floatToRawIntBits(Float16.toFloat((short) 0x8000))).isEqualTo(0x80000000);
    }

    private static int h(float f) { return Float16.toHalf(f) & 0xFFFF; }

    @Test
    void everyHalfRoundTrips() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            float f = Float16.toFloat((short) bits);
            boolean nan = (bits & 0x7C00) == 0x7C00 && (bits & 0x3FF) != 0;
            if (nan) {
                assertThat(f).isNaN();
                assertThat(Float16.toFloat(Float16.toHalf(f))).isNaN();
            } else {
                assertThat(h(f)).as("half %04x", bits).isEqualTo(bits);
            }
        }
    }

    @Test
    void halfConversionRoundsToTheNearestTiesToEven() {
        Random r = new Random(11);
        for (int i = 0; i < 200_000; i++) {
            // probabilities, and arbitrary floats over the whole finite half range (subnormals included)
            float f = i % 2 == 0 ? r.nextFloat() : Float.intBitsToFloat(r.nextInt(0x477FE000));
            int hf = h(f);
            double d = Math.abs(Float16.toFloat((short) hf) - (double) f);
            for (int n : new int[] {hf - 1, hf + 1}) {
                if (n < 0 || n > 0x7BFF) {
                    continue;
                }
                double dn = Math.abs(Float16.toFloat((short) n) - (double) f);
                assertThat(d < dn || d == dn && (hf & 1) == 0).as("%s -> %04x vs %04x", f, hf, n).isTrue();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------- EMA

    @Test
    void emaByHandWithTheFirstObservationInitialising() {
        GroupKnowledge gk = GroupKnowledge.dense("gk", 4, 3, 2, false);
        assertThat(gk.alpha()).isEqualTo(0.5);
        gk.update(0, new int[] {2}, new float[] {0.5f, 0.25f, 0.25f});
        assertThat(gk.lookup(0, new int[] {2})).containsExactly(0.5f, 0.25f, 0.25f); // K := p, not a * p
        gk.update(0, new int[] {2}, new float[] {0f, 0.5f, 0.5f});
        assertThat(gk.lookup(0, new int[] {2})).containsExactly(0.25f, 0.375f, 0.375f);
        gk.update(0, new int[] {2}, new float[] {1f, 0f, 0f});
        assertThat(gk.lookup(0, new int[] {2})).containsExactly(0.625f, 0.1875f, 0.1875f);
        assertThat(gk.observed(1, 2)).isFalse(); // another group is another entry

        GroupKnowledge quarter = new GroupKnowledge("gk", 4, 2, 1, Mode.DENSE, 0, false, 0.25);
        quarter.update(0, 1, new float[] {9f, 0.25f, 0.75f}, 1); // an offset into a larger array
        assertThat(quarter.lookup(0, new int[] {1})).containsExactly(0.25f, 0.75f);
        quarter.update(0, new int[] {1}, new float[] {1f, 0f});
        assertThat(quarter.lookup(0, new int[] {1})).containsExactly(0.4375f, 0.5625f); // 0.25 p + 0.75 K

        // a sample twice in one batch gets two steps, in order
        GroupKnowledge twice = GroupKnowledge.dense("gk", 2, 2, 1, true);
        twice.update(0, new int[] {0, 0}, new float[] {1f, 0f, 0f, 1f});
        assertThat(twice.lookup(0, new int[] {0})).containsExactly(0.5f, 0.5f);
    }

    @Test
    void denseStoresMatchAReferenceModelBitForBit() {
        for (boolean half : new boolean[] {false, true}) {
            Random r = new Random(3);
            int samples = 37, classes = 7, groups = 3;
            GroupKnowledge gk = GroupKnowledge.dense("gk", samples, classes, groups, half);
            float[][][] ref = new float[groups][samples][];
            for (int step = 0; step < 60; step++) {
                int g = r.nextInt(groups);
                int[] idx = batch(r, 8, samples - 5); // the last 5 samples are never seen
                float[] p = probabilities(r, idx.length, classes);
                gk.update(g, idx, p);
                for (int i = 0; i < idx.length; i++) {
                    float[] k = ref[g][idx[i]];
                    float[] next = new float[classes];
                    for (int c = 0; c < classes; c++) {
                        float pc = p[i * classes + c];
                        float v = k == null ? pc : 0.5f * pc + 0.5f * k[c];
                        next[c] = half ? Float16.toFloat(Float16.toHalf(v)) : v;
                    }
                    ref[g][idx[i]] = next;
                }
            }
            for (int g = 0; g < groups; g++) {
                for (int s = 0; s < samples; s++) {
                    float[] got = gk.lookup(g, new int[] {s});
                    assertThat(gk.observed(g, s)).isEqualTo(ref[g][s] != null);
                    if (ref[g][s] == null) {
                        assertThat(got).isNull();
                    } else {
                        assertThat(bits(got)).as("half=%s group %d sample %d", half, g, s)
                                .containsExactly(bits(ref[g][s]));
                    }
                }
            }
        }
    }

    @Test
    void neverObservedEntriesAreFlagged() {
        GroupKnowledge gk = GroupKnowledge.topK("gk", 10, 4, 2, 2, true);
        assertThat(gk.observedCount(0)).isZero();
        assertThat(gk.lookup(0, new int[] {3})).isNull();
        gk.update(0, new int[] {3, 7}, new float[] {0.5f, 0.25f, 0.125f, 0.125f, 0f, 0f, 0f, 1f});
        assertThat(gk.observedCount(0)).isEqualTo(2);
        assertThat(gk.observedCount(1)).isZero();
        assertThat(gk.lookup(0, new int[] {7, 3})).isNotNull();
        assertThat(gk.lookup(0, new int[] {7, 4, 3})).isNull(); // all or nothing
        assertThat(gk.lookup(1, new int[] {3})).isNull();

        float[] out = new float[3 * 4];
        Arrays.fill(out, 9f);
        boolean[] seen = new boolean[3];
        assertThat(gk.lookup(0, new int[] {7, 4, 3}, out, seen)).isEqualTo(2);
        assertThat(seen).containsExactly(true, false, true);
        assertThat(Arrays.copyOfRange(out, 0, 4)).containsExactly(0f, 0f, 0f, 1f);
        assertThat(Arrays.copyOfRange(out, 4, 8)).containsOnly(0f); // the unobserved row is zeros
        assertThat(Arrays.copyOfRange(out, 8, 12)).containsExactly(0.5f, 0.25f, 0.125f, 0.125f);
        assertThatThrownBy(() -> gk.observed(0, 10)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> gk.update(2, new int[] {0}, new float[4])).isInstanceOf(
                IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> gk.update(0, new int[] {0}, new float[] {Float.NaN, 0, 0, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-finite");
        assertThat(gk.observed(0, 0)).isFalse(); // a rejected update leaves no trace
    }

    // ------------------------------------------------------------------------------------------------------ top-k

    @Test
    void topKByHandShowsTheUniformResidual() {
        GroupKnowledge gk = GroupKnowledge.topK("gk", 1, 4, 1, 2, false);
        gk.update(0, new int[] {0}, new float[] {0.5f, 0.25f, 0.125f, 0.125f});
        assertThat(gk.lookup(0, new int[] {0})).containsExactly(0.5f, 0.25f, 0.125f, 0.125f);
        // EMA on the reconstruction: (0.25, 0.25, 0.4375, 0.0625); top-2 = class 2, then class 0 (the tie with
        // class 1 goes to the lower class); the residual 0.3125 is spread over classes 1 and 3
        gk.update(0, new int[] {0}, new float[] {0f, 0.25f, 0.75f, 0f});
        assertThat(gk.lookup(0, new int[] {0})).containsExactly(0.25f, 0.15625f, 0.4375f, 0.15625f);

        // stored values summing to more than 1 are normalised instead
        GroupKnowledge over = GroupKnowledge.topK("gk", 1, 4, 1, 2, false);
        over.update(0, 0, new float[] {0.75f, 0f, 0.5f, 0f}, 0);
        assertThat(over.lookup(0, new int[] {0})).containsExactly(0.6f, 0f, 0.4f, 0f);
    }

    @Test
    void topKReconstructionSumsToOneAndKeepsTheKLargest() {
        Random r = new Random(5);
        int classes = 20, k = 5, samples = 50;
        for (boolean half : new boolean[] {false, true}) {
            GroupKnowledge gk = GroupKnowledge.topK("gk", samples, classes, 1, k, half);
            int[] all = new int[samples];
            Arrays.setAll(all, i -> i);
            float[] p = probabilities(r, samples, classes);
            gk.update(0, all, p);
            float[] got = gk.lookup(0, all);
            for (int s = 0; s < samples; s++) {
                float[] orig = Arrays.copyOfRange(p, s * classes, (s + 1) * classes);
                float[] rec = Arrays.copyOfRange(got, s * classes, (s + 1) * classes);
                // the reconstruction: the k stored values and (classes - k) copies of (1 - their float sum) /
                // (classes - k), or the values times 1 / their sum when it exceeds 1: sums to 1 within the float sum
                // of k (gamma(k - 1)), the subtraction and the division (or the reciprocal and the products): gamma(k + 2)
                // (this sum in double; all of it Java float arithmetic, the same on every machine)
                assertThat(sum(rec)).isCloseTo(1.0, within(FloatBounds.gamma(k + 2)));
                int[] top = topClasses(orig, k);
                assertThat(topClasses(rec, k)).containsExactlyInAnyOrder(top);
                double kept = 0;
                for (int c : top) {
                    // fp32: the stored float itself; fp16: rounded to half precision, within 2^-11 relative, or 2^-25
                    // absolute below the smallest normal half (6.1e-5: subnormal spacing 2^-24)
                    if (half) {
                        assertThat(rec[c]).isCloseTo(orig[c], within(orig[c] * 0x1p-11f + 0x1p-25f));
                    } else {
                        assertThat(rec[c]).isEqualTo(orig[c]);
                    }
                    kept += rec[c];
                }
                float rest = (float) ((1 - kept) / (classes - k));
                for (int c = 0; c < classes; c++) {
                    int cc = c;
                    if (Arrays.stream(top).noneMatch(t -> t == cc)) {
                        // (1 - s) / (classes - k) from the float sum s of the k values, here from their double sum:
                        // gamma(k) s apart, plus the subtraction, the division and the cast (3 u)
                        assertThat((double) rec[c]).isCloseTo(rest,
                                within((FloatBounds.gamma(k) * kept + 3 * FloatBounds.U) / (classes - k)));
                        assertThat(rec[c]).isLessThanOrEqualTo(rec[top[k - 1]]);
                    }
                }
            }
            // after further EMA steps the vectors still sum to 1
            for (int step = 0; step < 10; step++) {
                gk.update(0, all, probabilities(r, samples, classes));
            }
            float[] later = gk.lookup(0, all);
            for (int s = 0; s < samples; s++) {
                assertThat(sum(Arrays.copyOfRange(later, s * classes, (s + 1) * classes)))
                        .isCloseTo(1.0, within(FloatBounds.gamma(k + 2)));
            }
        }
        // k = classes keeps everything: the same as a dense store
        GroupKnowledge full = GroupKnowledge.topK("gk", 3, 6, 1, 6, false);
        GroupKnowledge dense = GroupKnowledge.dense("gk", 3, 6, 1, false);
        float[] p = probabilities(r, 3, 6);
        full.update(0, new int[] {0, 1, 2}, p);
        dense.update(0, new int[] {0, 1, 2}, p);
        // top-k with k = classes normalises: each value times fl(1 / its float sum of 6), the sum within gamma(5) of
        // 1 (the probabilities sum to 1 within their own rounding, gamma(6)), the reciprocal and the product: gamma(13)
        float[] fromTopK = full.lookup(0, new int[] {0, 1, 2});
        float[] fromDense = dense.lookup(0, new int[] {0, 1, 2});
        for (int i = 0; i < fromDense.length; i++) {
            assertThat((double) fromTopK[i]).isCloseTo(fromDense[i], within(FloatBounds.gamma(13) * fromDense[i]));
        }
    }

    @Test
    void manyClassesUseIntIndices() {
        int classes = 40_000;
        GroupKnowledge gk = GroupKnowledge.topK("gk", 2, classes, 1, 3, true);
        assertThat(gk.bytes()).isEqualTo(2L * 3 * (2 + 4) + 8);
        float[] p = new float[classes];
        p[39_999] = 0.5f;
        p[32_768] = 0.25f;
        p[7] = 0.125f;
        p[0] = 0.125f;
        gk.update(0, 1, p, 0);
        float[] got = gk.lookup(0, new int[] {1});
        assertThat(got[39_999]).isEqualTo(0.5f);
        assertThat(got[32_768]).isEqualTo(0.25f);
        assertThat(got[0]).isEqualTo(0.125f); // of the tie between classes 0 and 7 the lower is kept
        assertThat(got[7]).isEqualTo(0.125f / (classes - 3)); // class 7 gets the residual share
    }

    // -------------------------------------------------------------------------------------------------- chunking

    @Test
    void smallBlocksGiveTheSameKnowledge() {
        int samples = 5, classes = 3, groups = 3;
        for (Mode mode : Mode.values()) {
            for (boolean half : new boolean[] {false, true}) {
                int k = 2;
                GroupKnowledge one = new GroupKnowledge("gk", samples, classes, groups, mode, k, half, 0.5);
                int width = mode == Mode.DENSE ? classes : k;
                // 7 elements: 2 rows per block (dense) or 3 (top-k); 15 rows; the last block is partial
                GroupKnowledge small = new GroupKnowledge("gk", samples, classes, groups, mode, k, half, 0.5, 7);
                GroupKnowledge tiny = new GroupKnowledge("gk", samples, classes, groups, mode, k, half, 0.5, 1);
                assertThat(one.blocks()).isEqualTo(1);
                assertThat(small.blocks()).isEqualTo((15 + 7 / width - 1) / (7 / width));
                assertThat(tiny.blocks()).isEqualTo(15); // a row per block, even when a row is longer
                Random r = new Random(9);
                for (int step = 0; step < 30; step++) {
                    int g = r.nextInt(groups);
                    int[] idx = batch(r, 3, samples);
                    float[] p = probabilities(r, idx.length, classes);
                    for (GroupKnowledge gk : List.of(one, small, tiny)) {
                        gk.update(g, idx, p);
                    }
                }
                for (GroupKnowledge gk : List.of(small, tiny)) {
                    assertThat(gk.bytes()).isEqualTo(one.bytes())
                            .isEqualTo(GroupKnowledge.bytesFor(samples, classes, groups, mode, k, half));
                    for (int g = 0; g < groups; g++) {
                        for (int s = 0; s < samples; s++) {
                            float[] a = one.lookup(g, new int[] {s});
                            float[] b = gk.lookup(g, new int[] {s});
                            assertThat(b == null ? null : bits(b)).isEqualTo(a == null ? null : bits(a));
                        }
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ checkpoint

    @Test
    void saveAndRestoreAreBitExactInEveryMode() {
        int samples = 70, classes = 40, groups = 3;
        List<Object[]> cases = List.of(
                new Object[] {Mode.DENSE, 0, false, classes}, new Object[] {Mode.DENSE, 0, true, classes},
                new Object[] {Mode.TOPK, 4, false, classes}, new Object[] {Mode.TOPK, 4, true, classes},
                new Object[] {Mode.TOPK, 3, true, 33_000}); // int indices
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 0;
            for (Object[] c : cases) {
                Mode mode = (Mode) c[0];
                int k = (int) c[1];
                boolean half = (boolean) c[2];
                int cl = (int) c[3];
                int blockElements = 5 * Math.max(k, 1) * (mode == Mode.DENSE ? cl : 1) + 1; // several blocks
                GroupKnowledge gk = new GroupKnowledge("mkf/group_knowledge", samples, cl, groups, mode, k, half,
                        0.5, blockElements);
                Random r = new Random(21);
                int batch = cl > 1000 ? 4 : 16;
                for (int step = 0; step < 20; step++) {
                    int[] idx = batch(r, batch, samples - 3);
                    gk.update(r.nextInt(groups), idx, probabilities(r, idx.length, cl));
                }
                for (int g = 0; g < groups; g++) {
                    assertThat(gk.observed(g, samples - 1)).isFalse(); // some entries are never observed
                    assertThat(gk.observedCount(g)).isPositive();
                }
                Checkpoint ckpt = new Checkpoint();
                gk.save(ckpt.section(gk.stateName()));
                Path file = dir.resolve("case" + n++ + ".ckpt");
                ckpt.write(file);
                Checkpoint read = Checkpoint.read(file);

                GroupKnowledge same = new GroupKnowledge("mkf/group_knowledge", samples, cl, groups, mode, k, half,
                        0.5, blockElements);
                same.load(read.existingSection(same.stateName()), m);
                // saved again, the restored store writes the very same bytes: values, indices and flags
                Checkpoint again = new Checkpoint();
                same.save(again.section(same.stateName()));
                assertThat(again.keys()).isEqualTo(ckpt.keys());
                for (String key : ckpt.keys()) {
                    assertThat(again.bytes(key)).as(key).isEqualTo(ckpt.bytes(key));
                }
                assertThat(again.meta()).isEqualTo(ckpt.meta());

                // restored into another block size, it answers the same; so do both after more updates
                GroupKnowledge other = new GroupKnowledge("mkf/group_knowledge", samples, cl, groups, mode, k, half,
                        0.5);
                other.load(read.existingSection(other.stateName()), m);
                assertSameKnowledge(gk, same);
                assertSameKnowledge(gk, other);
                for (int step = 0; step < 5; step++) {
                    int[] idx = batch(r, batch, samples);
                    float[] p = probabilities(r, idx.length, cl);
                    int g = r.nextInt(groups);
                    for (GroupKnowledge s : List.of(gk, same, other)) {
                        s.update(g, idx, p);
                    }
                }
                assertSameKnowledge(gk, same);
                assertSameKnowledge(gk, other);
            }
        }
    }

    private static void assertSameKnowledge(GroupKnowledge a, GroupKnowledge b) {
        int[] all = new int[a.samples()];
        Arrays.setAll(all, i -> i);
        for (int g = 0; g < a.groups(); g++) {
            float[] va = new float[all.length * a.classes()];
            float[] vb = new float[all.length * a.classes()];
            boolean[] oa = new boolean[all.length];
            boolean[] ob = new boolean[all.length];
            a.lookup(g, all, va, oa);
            b.lookup(g, all, vb, ob);
            assertThat(ob).isEqualTo(oa);
            assertThat(bits(vb)).isEqualTo(bits(va));
        }
    }

    @Test
    void restoringIntoAnotherShapeOrModeIsAOneLineError() {
        GroupKnowledge saved = GroupKnowledge.dense("mkf/group_knowledge", 10, 4, 3, true);
        saved.update(1, new int[] {2}, new float[] {0.25f, 0.25f, 0.25f, 0.25f});
        Checkpoint ckpt = new Checkpoint();
        saved.save(ckpt.section(saved.stateName()));
        Path file = dir.resolve("gk.ckpt");
        ckpt.write(file);
        Checkpoint read = Checkpoint.read(file);
        List<GroupKnowledge> others = new ArrayList<>(List.of(
                GroupKnowledge.dense("mkf/group_knowledge", 10, 4, 3, false),
                GroupKnowledge.topK("mkf/group_knowledge", 10, 4, 3, 2, true),
                GroupKnowledge.dense("mkf/group_knowledge", 11, 4, 3, true),
                GroupKnowledge.dense("mkf/group_knowledge", 10, 5, 3, true),
                GroupKnowledge.dense("mkf/group_knowledge", 10, 4, 2, true)));
        try (NDManager m = NDManager.newBaseManager()) {
            for (GroupKnowledge other : others) {
                assertThatThrownBy(() -> other.load(read.existingSection(other.stateName()), m))
                        .isInstanceOf(UserError.class)
                        .hasMessageStartingWith(file.toString())
                        .hasMessageContaining("dense fp16, 10 samples x 3 groups x 4 classes")
                        .hasMessageContaining(other.describe())
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
                assertThat(other.observedCount(1)).isZero(); // untouched
            }
            // the same shape and mode restores
            GroupKnowledge same = GroupKnowledge.dense("mkf/group_knowledge", 10, 4, 3, true);
            same.load(read.existingSection(same.stateName()), m);
            assertThat(same.lookup(1, new int[] {2})).containsExactly(0.25f, 0.25f, 0.25f, 0.25f);
        }
    }

    // ---------------------------------------------------------------------------------------------------- memory

    @Test
    void bytesMatchTheEstimate() {
        for (Mode mode : Mode.values()) {
            for (boolean half : new boolean[] {false, true}) {
                for (int[] shape : new int[][] {{1, 1, 1, 1}, {63, 10, 2, 3}, {64, 10, 3, 10}, {130, 7, 4, 1}}) {
                    GroupKnowledge gk = new GroupKnowledge("gk", shape[0], shape[1], shape[2], mode, shape[3], half,
                            0.5, 16);
                    assertThat(gk.bytes()).isEqualTo(GroupKnowledge.bytesFor(shape[0], shape[1], shape[2], mode,
                            shape[3], half));
                }
            }
        }
        // CIFAR-100, 3 groups: built for real, well under 100 MB
        GroupKnowledge fp32 = GroupKnowledge.dense("gk", 50_000, 100, 3, false);
        assertThat(fp32.bytes()).isEqualTo(60_018_768L).isLessThan(100_000_000L);
        assertThat(fp32.blocks()).isEqualTo(1);
        GroupKnowledge small = new GroupKnowledge("gk", 50_000, 100, 3, Mode.DENSE, 0, false, 0.5, 1 << 20);
        assertThat(small.blocks()).isEqualTo(15); // 10485 rows of 100 per block
        assertThat(small.bytes()).isEqualTo(60_018_768L);
        assertThat(GroupKnowledge.dense("gk", 50_000, 100, 3, true).bytes()).isEqualTo(30_018_768L);
        assertThat(GroupKnowledge.topK("gk", 50_000, 100, 3, 5, true).bytes()).isEqualTo(3_018_768L);
        assertThat(GroupKnowledge.topK("gk", 50_000, 100, 3, 10, true).bytes()).isEqualTo(6_018_768L);
    }

    @Test
    void imageNetEstimatesAreThoseInTheJavadoc() {
        long n = 1_281_167;
        long flags = 3 * ((n + 63) / 64) * 8; // 480,456 bytes
        assertThat(flags).isEqualTo(480_456L);
        long denseFp32 = GroupKnowledge.bytesFor(n, 1000, 3, Mode.DENSE, 0, false);
        assertThat(denseFp32).isEqualTo(n * 3 * 1000 * 4 + flags).isEqualTo(15_374_484_456L);
        assertThat(Math.round(denseFp32 / 1e8) / 10.0).isEqualTo(15.4); // GB
        assertThat(denseFp32 / 4).isGreaterThan(Integer.MAX_VALUE); // more floats than one Java array holds
        assertThat(GroupKnowledge.bytesFor(n, 1000, 3, Mode.DENSE, 0, true)).isEqualTo(7_687_482_456L);
        assertThat(GroupKnowledge.bytesFor(n, 1000, 3, Mode.TOPK, 5, true)).isEqualTo(77_350_476L);
        assertThat(GroupKnowledge.bytesFor(n, 1000, 3, Mode.TOPK, 10, true)).isEqualTo(154_220_496L);
        assertThat(GroupKnowledge.bytesFor(n, 1000, 3, Mode.TOPK, 5, false)).isEqualTo(115_785_486L);
        assertThat(GroupKnowledge.bytesFor(n, 1000, 3, Mode.TOPK, 10, false)).isEqualTo(231_090_516L);
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    /** {@code n} dataset indices in {@code [0, bound)}, repeats possible. */
    private static int[] batch(Random r, int n, int bound) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = r.nextInt(bound);
        }
        return idx;
    }

    /** {@code n} random probability vectors (softmax of scaled Gaussians: some sharp, some flat). */
    private static float[] probabilities(Random r, int n, int classes) {
        float[] p = new float[n * classes];
        for (int i = 0; i < n; i++) {
            double scale = 0.5 + 4 * r.nextDouble();
            double[] e = new double[classes];
            double total = 0;
            for (int c = 0; c < classes; c++) {
                e[c] = Math.exp(scale * r.nextGaussian());
                total += e[c];
            }
            for (int c = 0; c < classes; c++) {
                p[i * classes + c] = (float) (e[c] / total);
            }
        }
        return p;
    }

    private static int[] topClasses(float[] v, int k) {
        Integer[] order = new Integer[v.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Float.compare(v[b], v[a]));
        int[] top = new int[k];
        for (int i = 0; i < k; i++) {
            top[i] = order[i];
        }
        return top;
    }

    private static double sum(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
