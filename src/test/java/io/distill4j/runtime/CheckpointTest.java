package io.distill4j.runtime;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.distill4j.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
