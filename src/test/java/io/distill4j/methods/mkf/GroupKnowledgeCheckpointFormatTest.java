package io.distill4j.methods.mkf;

import ai.djl.ndarray.NDManager;
import io.distill4j.methods.mkf.GroupKnowledge.Mode;
import io.distill4j.runtime.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checkpoint form of {@link GroupKnowledge} is a file format: a run resumed from a checkpoint written by an
 * earlier distill4j must load it. {@code group-knowledge-format-1.ckpt} (next to this class in the test resources)
 * holds the bytes that distill4j wrote, before the checkpoint form moved out of {@link GroupKnowledge} into its
 * own class, for the stores built by {@link #stores} in every mode: dense and top-k, fp32 and fp16, short and int
 * class indices, each in several storage blocks. The stores are fed probability vectors with many exact ties, so the
 * file also pins the top-k selection and its tie rule (decreasing, ties: the lower class first).
 *
 * <p>The golden file is not regenerated when a test fails: a difference means old checkpoints no longer load as
 * they did. The bytes a failing run produced are left in {@code target/} for inspection.
 */
class GroupKnowledgeCheckpointFormatTest {
    private static final String GOLDEN = "group-knowledge-format-1.ckpt";

    @TempDir
    Path dir;

    /** One store per mode, small blocks, filled by seeded updates (the same on every run and machine). */
    private static List<GroupKnowledge> stores(boolean smallBlocks) {
        Object[][] cases = {
            {"golden/dense-fp32", Mode.DENSE, 0, false, 11},
            {"golden/dense-fp16", Mode.DENSE, 0, true, 11},
            {"golden/topk-fp32", Mode.TOPK, 3, false, 11},
            {"golden/topk-fp16", Mode.TOPK, 3, true, 11},
            {"golden/topk-wide", Mode.TOPK, 2, true, 33_000}, // more than 32767 classes: int indices
        };
        List<GroupKnowledge> out = new ArrayList<>();
        for (Object[] c : cases) {
            Mode mode = (Mode) c[1];
            int k = (int) c[2];
            boolean half = (boolean) c[3];
            int classes = (int) c[4];
            int samples = classes > 1000 ? 5 : 13;
            int groups = 2;
            int width = mode == Mode.DENSE ? classes : k;
            GroupKnowledge gk = smallBlocks
                    ? new GroupKnowledge((String) c[0], samples, classes, groups, mode, k, half, 0.5, 4 * width + 1)
                    : new GroupKnowledge((String) c[0], samples, classes, groups, mode, k, half, 0.5);
            Random r = new Random(20240611L + classes);
            for (int step = 0; step < 12; step++) {
                int[] idx = new int[3];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = r.nextInt(samples - 1); // the last sample is never observed
                }
                gk.update(r.nextInt(groups), idx, tiedProbabilities(r, idx.length, classes));
            }
            out.add(gk);
        }
        return out;
    }

    /** {@code n} probability vectors from small integer weights: equal weights give exactly equal values (ties). */
    private static float[] tiedProbabilities(Random r, int n, int classes) {
        float[] p = new float[n * classes];
        for (int i = 0; i < n; i++) {
            int[] w = new int[classes];
            int total = 0;
            for (int c = 0; c < classes; c++) {
                w[c] = classes > 1000 && r.nextInt(100) != 0 ? 0 : r.nextInt(4);
                total += w[c];
            }
            if (total == 0) {
                w[r.nextInt(classes)] = total = 1;
            }
            for (int c = 0; c < classes; c++) {
                p[i * classes + c] = (float) w[c] / total;
            }
        }
        return p;
    }

    private static byte[] write(List<GroupKnowledge> stores, Path file) throws IOException {
        Checkpoint ckpt = new Checkpoint();
        for (GroupKnowledge gk : stores) {
            gk.save(ckpt.section(gk.stateName()));
        }
        ckpt.write(file);
        return Files.readAllBytes(file);
    }

    private static byte[] golden() throws IOException {
        try (InputStream in = GroupKnowledgeCheckpointFormatTest.class.getResourceAsStream(GOLDEN)) {
            assertThat(in).as("test resource " + GOLDEN).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void savedBytesAreThoseOfTheGoldenFile() throws IOException {
        Path produced = Path.of("target", "golden-candidate-" + GOLDEN);
        byte[] bytes = write(stores(true), produced);
        assertThat(bytes).as("checkpoint bytes (this run's are in " + produced + ")").isEqualTo(golden());
        Files.delete(produced);
    }

    @Test
    void theGoldenFileLoadsIntoAnyBlockSizeAndSavesBackToTheSameBytes() throws IOException {
        Path file = dir.resolve(GOLDEN);
        Files.write(file, golden());
        Checkpoint read = Checkpoint.read(file);
        List<GroupKnowledge> expected = stores(true);
        List<GroupKnowledge> sameBlocks = stores(true);
        List<GroupKnowledge> defaultBlocks = stores(false);
        try (NDManager m = NDManager.newBaseManager()) {
            for (int i = 0; i < expected.size(); i++) {
                GroupKnowledge want = expected.get(i);
                for (GroupKnowledge got : List.of(sameBlocks.get(i), defaultBlocks.get(i))) {
                    clear(got);
                    got.load(read.existingSection(got.stateName()), m);
                    assertSameKnowledge(want, got);
                }
            }
        }
        assertThat(write(sameBlocks, dir.resolve("again.ckpt"))).isEqualTo(golden());
    }

    /** Overwrites every entry, so that a load that forgot some would show. */
    private static void clear(GroupKnowledge gk) {
        float[] p = new float[gk.classes()];
        Arrays.fill(p, 1f / gk.classes());
        for (int g = 0; g < gk.groups(); g++) {
            for (int i = 0; i < gk.samples(); i++) {
                gk.update(g, i, p, 0);
            }
        }
    }

    private static void assertSameKnowledge(GroupKnowledge want, GroupKnowledge got) {
        int[] all = new int[want.samples()];
        Arrays.setAll(all, i -> i);
        for (int g = 0; g < want.groups(); g++) {
            float[] a = new float[all.length * want.classes()];
            float[] b = new float[all.length * want.classes()];
            boolean[] oa = new boolean[all.length];
            boolean[] ob = new boolean[all.length];
            want.lookup(g, all, a, oa);
            got.lookup(g, all, b, ob);
            assertThat(ob).as(want.stateName() + " group " + g + " observed").isEqualTo(oa);
            assertThat(bits(b)).as(want.stateName() + " group " + g + " values").isEqualTo(bits(a));
        }
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
