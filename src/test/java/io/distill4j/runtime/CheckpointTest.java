package io.distill4j.runtime;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class CheckpointTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsHeaderBytesAndArrays() {
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint c = new Checkpoint();
            c.meta().addProperty("step", 42);
            c.putBytes("raw", new byte[] {1, 2, 3});
            c.putArrays("arrays", new NDList(m.create(new float[] {1.5f, -2f}), m.create(new long[] {7})));
            Path f = dir.resolve("a.ckpt");
            c.write(f);
            Checkpoint r = Checkpoint.read(f);
            assertThat(r.meta().get("step").getAsInt()).isEqualTo(42);
            assertThat(r.bytes("raw")).containsExactly(1, 2, 3);
            NDList l = r.arrays("arrays", m);
            assertThat(l.get(0).toFloatArray()).containsExactly(1.5f, -2f);
            assertThat(l.get(1).toLongArray()).containsExactly(7L);
            assertThat(dir.toFile().list()).containsExactly("a.ckpt"); // no temporary file left behind
        }
    }

    @Test
    void truncatedCorruptAndMissingFilesAreClearErrors() throws IOException {
        Checkpoint c = new Checkpoint();
        c.putBytes("raw", new byte[1000]);
        Path f = dir.resolve("b.ckpt");
        c.write(f);
        byte[] all = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.ckpt");
        Files.write(cut, Arrays.copyOf(all, all.length - 500));
        assertThatThrownBy(() -> Checkpoint.read(cut)).isInstanceOf(UserError.class)
                .hasMessageContaining("cut.ckpt").hasMessageContaining("truncated");
        Path noTrailer = dir.resolve("notrailer.ckpt");
        Files.write(noTrailer, Arrays.copyOf(all, all.length - 3));
        assertThatThrownBy(() -> Checkpoint.read(noTrailer)).isInstanceOf(UserError.class)
                .hasMessageContaining("notrailer.ckpt");
        Path junk = dir.resolve("junk.ckpt");
        Files.writeString(junk, "hello world, not a checkpoint");
        assertThatThrownBy(() -> Checkpoint.read(junk)).isInstanceOf(UserError.class)
                .hasMessageContaining("junk.ckpt").hasMessageContaining("not a distill4j checkpoint");
        assertThatThrownBy(() -> Checkpoint.read(dir.resolve("none.ckpt"))).isInstanceOf(UserError.class)
                .hasMessageContaining("none.ckpt").hasMessageContaining("not found");
        assertThatThrownBy(() -> Checkpoint.read(f).bytes("missing")).isInstanceOf(UserError.class)
                .hasMessageContaining("missing");
    }

    @Test
    void rewritingReplacesTheFileWhole() {
        Path f = dir.resolve("c.ckpt");
        Checkpoint a = new Checkpoint();
        a.putBytes("x", new byte[5000]);
        a.write(f);
        Checkpoint b = new Checkpoint();
        b.putBytes("y", new byte[] {9});
        b.write(f);
        Checkpoint r = Checkpoint.read(f);
        assertThat(r.keys()).containsExactly("y");
    }

    @Test
    void everyFlippedBitOfASmallCheckpointIsReportedAsCorrupt() throws IOException {
        Checkpoint c = new Checkpoint();
        c.meta().addProperty("step", 42);
        c.meta().addProperty("name", "small");
        c.putBytes("raw", new byte[] {1, 2, 3, 4});
        c.putBytes("more", new byte[] {5, 6});
        Path f = dir.resolve("small.ckpt");
        c.write(f);
        byte[] all = Files.readAllBytes(f);
        for (int pos = 0; pos < all.length; pos++) {
            for (int bit = 0; bit < 8; bit++) {
                assertFlipIsCorrupt(all, pos, bit);
            }
        }
    }

    @Test
    void flippedBitsInALargerCheckpointAreReportedAsCorrupt() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint c = new Checkpoint();
            c.meta().addProperty("step", 42);
            c.putArrays("weights", new NDList(m.arange(0f, 20000f), m.ones(new Shape(50, 50))));
            c.putBytes("raw", new byte[3000]);
            Path f = dir.resolve("large.ckpt");
            c.write(f);
            byte[] all = Files.readAllBytes(f);
            assertThat(all.length).isGreaterThan(50_000);
            TreeSet<Integer> positions = new TreeSet<>();
            int headerEnd = 19 + 4 + ByteBuffer.wrap(all, 15 + 4, 4).getInt() + 4;
            for (int pos = 0; pos < headerEnd; pos++) {
                positions.add(pos); // magic, version, header and blob count
            }
            for (int pos = all.length - 19; pos < all.length; pos++) {
                positions.add(pos); // end marker and checksum
            }
            Random random = new Random(20240611L);
            while (positions.size() < headerEnd + 19 + 300) {
                positions.add(random.nextInt(all.length));
            }
            for (int pos : positions) {
                assertFlipIsCorrupt(all, pos, random.nextInt(8));
            }
        }
    }

    private void assertFlipIsCorrupt(byte[] all, int pos, int bit) throws IOException {
        byte[] bad = all.clone();
        bad[pos] ^= (byte) (1 << bit);
        Path f = dir.resolve("flipped.ckpt");
        Files.write(f, bad);
        Throwable t = catchThrowable(() -> Checkpoint.read(f));
        assertThat(t).as("byte %d bit %d", pos, bit).isExactlyInstanceOf(UserError.class);
        assertThat(t.getMessage()).as("byte %d bit %d", pos, bit).startsWith(f.toString())
                .contains("flipped.ckpt").contains("corrupt").doesNotContain("\n");
    }

    @Test
    void aFileCutAtAnyLengthIsATruncatedCheckpoint() throws IOException {
        Checkpoint c = new Checkpoint();
        c.meta().addProperty("step", 42);
        c.putBytes("raw", new byte[200]);
        Path f = dir.resolve("d.ckpt");
        c.write(f);
        byte[] all = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.ckpt");
        for (int len : new int[] {0, 1, 5, 15, 18, 19, 20, 23, 30, all.length / 2, all.length - 200, all.length - 19,
                all.length - 5, all.length - 4, all.length - 1}) {
            Files.write(cut, Arrays.copyOf(all, len));
            Throwable t = catchThrowable(() -> Checkpoint.read(cut));
            assertThat(t).as("cut at %d", len).isExactlyInstanceOf(UserError.class);
            assertThat(t.getMessage()).as("cut at %d", len).startsWith(cut.toString()).contains("truncated");
        }
    }

    @Test
    void staleTemporariesOfTheSameNameAreRemovedAfterAWrite() throws IOException {
        Path old = Files.createTempFile(dir, "e.ckpt", ".tmp"); // as distill4j named them before
        Path current = Files.createTempFile(dir, "e.ckpt.", ".tmp");
        Path otherCheckpoint = Files.createTempFile(dir, "f.ckpt.", ".tmp");
        Path longerName = Files.createTempFile(dir, "e.ckpt.old.", ".tmp"); // the temporary of "e.ckpt.old"
        Path unrelated = Files.writeString(dir.resolve("e.ckpt.notes.tmp"), "kept");
        Checkpoint c = new Checkpoint();
        c.putBytes("raw", new byte[] {1});
        Path f = dir.resolve("e.ckpt");
        c.write(f);
        assertThat(old).doesNotExist();
        assertThat(current).doesNotExist();
        assertThat(dir.toFile().list()).containsExactlyInAnyOrder("e.ckpt", otherCheckpoint.getFileName().toString(),
                longerName.getFileName().toString(), unrelated.getFileName().toString());
        assertThat(Checkpoint.read(f).bytes("raw")).containsExactly(1);
    }

    @Test
    void versionOneFilesWithoutAChecksumAreStillRead() throws IOException {
        Path f = dir.resolve("v1.ckpt");
        byte[] v1 = versionOne("{\"step\":7}", "raw", new byte[] {4, 5, 6});
        Files.write(f, v1);
        Checkpoint r = Checkpoint.read(f);
        assertThat(r.meta().get("step").getAsInt()).isEqualTo(7);
        assertThat(r.bytes("raw")).containsExactly(4, 5, 6);
        // without a checksum a damaged blob can go unnoticed, but damage is never another kind of exception
        for (int pos = 0; pos < v1.length; pos++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = v1.clone();
                bad[pos] ^= (byte) (1 << bit);
                Files.write(f, bad);
                Throwable t = catchThrowable(() -> Checkpoint.read(f));
                if (t != null) {
                    assertThat(t).as("byte %d bit %d", pos, bit).isExactlyInstanceOf(UserError.class);
                    assertThat(t.getMessage()).as("byte %d bit %d", pos, bit).startsWith(f.toString())
                            .doesNotContain("\n");
                }
            }
        }
    }

    @Test
    void aNewerVersionIsNotMistakenForCorruption() throws IOException {
        Checkpoint c = new Checkpoint();
        c.putBytes("raw", new byte[] {1});
        Path f = dir.resolve("g.ckpt");
        c.write(f);
        byte[] all = Files.readAllBytes(f);
        ByteBuffer.wrap(all).putInt(15, 3);
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        ByteBuffer.wrap(all).putInt(all.length - 4, (int) crc.getValue());
        Files.write(f, all);
        assertThatThrownBy(() -> Checkpoint.read(f)).isExactlyInstanceOf(UserError.class)
                .hasMessageStartingWith(f.toString()).hasMessageContaining("version 3 is not supported");
    }

    /** A checkpoint as distill4j wrote it before checksums: one blob. */
    private static byte[] versionOne(String header, String key, byte[] blob) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        byte[] magic = "DISTILL4J-CKPT\n".getBytes(StandardCharsets.US_ASCII);
        out.write(magic);
        out.writeInt(1);
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        out.writeInt(h.length);
        out.write(h);
        out.writeInt(1);
        out.writeUTF(key);
        out.writeLong(blob.length);
        out.write(blob);
        out.write(magic);
        return bytes.toByteArray();
    }
}
