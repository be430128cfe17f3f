package io.distill4j.data;

import io.distill4j.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdxReaderTest {
    @TempDir
    Path dir;

    static byte[] images(int n, int h, int w) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(0x803);
        d.writeInt(n);
        d.writeInt(h);
        d.writeInt(w);
        for (int i = 0; i < n * h * w; i++) {
            d.writeByte(i * 7 % 256);
        }
        return b.toByteArray();
    }

    static byte[] labels(int... l) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(0x801);
        d.writeInt(l.length);
        for (int x : l) {
            d.writeByte(x);
        }
        return b.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(b)) {
            g.write(data);
        }
        return b.toByteArray();
    }

    /** Writes the four standard files (train: 3 images, test: 2), gzipped or not. */
    static void writeFolder(Path dir, boolean gz) throws IOException {
        String ext = gz ? ".gz" : "";
        Files.write(dir.resolve("train-images-idx3-ubyte" + ext), gz ? gzip(images(3, 4, 5)) : images(3, 4, 5));
        Files.write(dir.resolve("train-labels-idx1-ubyte" + ext), gz ? gzip(labels(0, 9, 4)) : labels(0, 9, 4));
        Files.write(dir.resolve("t10k-images-idx3-ubyte" + ext), gz ? gzip(images(2, 4, 5)) : images(2, 4, 5));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte" + ext), gz ? gzip(labels(1, 2)) : labels(1, 2));
    }

    @Test
    void readsPlainAndGzippedFilesExactly() throws IOException {
        for (boolean gz : new boolean[] {false, true}) {
            Path d = Files.createDirectories(dir.resolve("gz" + gz));
            writeFolder(d, gz);
            DatasetSplits s = IdxReader.readFolder(d, "mnist", IdxReader.DIGITS);
            assertThat(s.train().size()).isEqualTo(3);
            assertThat(s.train().labels()).containsExactly(0, 9, 4);
            assertThat(s.test().labels()).containsExactly(1, 2);
            assertThat(s.train().height()).isEqualTo(4);
            assertThat(s.train().width()).isEqualTo(5);
            assertThat(s.train().channels()).isEqualTo(1);
            assertThat(s.train().pixels()[21] & 0xff).isEqualTo(21 * 7 % 256);
        }
    }

    @Test
    void gzipIsDetectedByContentNotName() throws IOException {
        writeFolder(dir, false);
        Files.write(dir.resolve("train-images-idx3-ubyte"), gzip(images(3, 4, 5))); // gzipped without .gz
        assertThat(IdxReader.readFolder(dir, "mnist", IdxReader.DIGITS).train().size()).isEqualTo(3);
    }

    @Test
    void truncatedCorruptAndMismatchedFilesNameTheFile() throws IOException {
        writeFolder(dir, false);
        Path img = dir.resolve("train-images-idx3-ubyte");
        byte[] good = Files.readAllBytes(img);
        Files.write(img, Arrays.copyOf(good, good.length - 10));
        assertThatThrownBy(() -> IdxReader.readFolder(dir, "mnist", IdxReader.DIGITS)).isInstanceOf(UserError.class)
                .hasMessageContaining("train-images-idx3-ubyte").hasMessageContaining("truncated");
        Files.write(img, Arrays.copyOf(good, 9));
        assertThatThrownBy(() -> IdxReader.readFolder(dir, "mnist", IdxReader.DIGITS))
                .hasMessageContaining("train-images-idx3-ubyte").hasMessageContaining("truncated");
        byte[] gz = gzip(good);
        Files.write(img, Arrays.copyOf(gz, gz.length / 2));
        assertThatThrownBy(() -> IdxReader.readFolder(dir, "mnist", IdxReader.DIGITS)).isInstanceOf(UserError.class)
                .hasMessageContaining("train-images-idx3-ubyte");
        Files.write(img, labels(1, 2, 3)); // a label file where images belong
        assertThatThrownBy(() -> IdxReader.readFolder(dir, "mnist", IdxReader.DIGITS))
                .hasMessageContaining("train-images-idx3-ubyte").hasMessageContaining("magic");
        Files.write(img, good);
        Files.write(dir.resolve("train-labels-idx1-ubyte"), labels(0, 1));
        assertThatThrownBy(() -> IdxReader.readFolder(dir, "mnist", IdxReader.DIGITS))
                .hasMessageContaining("train-labels-idx1-ubyte").hasMessageContaining("2 labels for 3 images");
        Files.write(dir.resolve("train-labels-idx1-ubyte"), labels(0, 1, 12));
        assertThatThrownBy(() -> IdxReader.readFolder(dir, "mnist", IdxReader.DIGITS))
                .hasMessageContaining("train-labels-idx1-ubyte").hasMessageContaining("label 12");
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), labels(0, 1, 2));
        assertThatThrownBy(() -> IdxReader.readFolder(dir, "mnist", IdxReader.DIGITS))
                .hasMessageContaining("t10k-labels-idx1-ubyte").hasMessageContaining("not found");
    }

    @Test
    void trainAndTestOfDifferentSizesNameBothFiles() throws IOException {
        writeFolder(dir, false);
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), images(2, 6, 7));
        assertThatThrownBy(() -> IdxReader.readFolder(dir, "mnist", IdxReader.DIGITS)).isInstanceOf(UserError.class)
                .hasMessageContaining(dir.resolve("t10k-images-idx3-ubyte") + ": its images are 6x7")
                .hasMessageContaining(dir.resolve("train-images-idx3-ubyte") + " are 4x5")
                .hasMessageContaining("same size");
    }

    private static byte[] header(int magic, int... dims) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(magic);
        for (int x : dims) {
            d.writeInt(x);
        }
        return b.toByteArray();
    }

    @Test
    void badHeadersSayWhatIsWrong() throws IOException {
        writeFolder(dir, false);
        Path img = dir.resolve("train-images-idx3-ubyte");
        // 2^30 * 2^30 * 16 overflows a long to 0: must not pass as an empty file
        Files.write(img, header(0x803, 1 << 30, 1 << 30, 16));
        assertThatThrownBy(() -> IdxReader.readFolder(dir, "mnist", IdxReader.DIGITS)).isInstanceOf(UserError.class)
                .hasMessageContaining("train-images-idx3-ubyte").hasMessageContaining("too large");
        Files.write(img, header(0x803, 0, 4, 5));
        assertThatThrownBy(() -> IdxReader.readFolder(dir, "mnist", IdxReader.DIGITS)).isInstanceOf(UserError.class)
                .hasMessageContaining("train-images-idx3-ubyte")
                .hasMessageContaining("count of items in the header is 0 (must be at least 1)");
        Files.write(img, header(0x803, 3, 4, -5));
        assertThatThrownBy(() -> IdxReader.readFolder(dir, "mnist", IdxReader.DIGITS))
                .hasMessageContaining("width) in the header is -5");
        Files.write(img, new byte[0]);
        assertThatThrownBy(() -> IdxReader.readFolder(dir, "mnist", IdxReader.DIGITS)).isInstanceOf(UserError.class)
                .hasMessageContaining("train-images-idx3-ubyte").hasMessageContaining("truncated");
        byte[] gz = gzip(images(3, 4, 5));
        Files.write(img, Arrays.copyOf(gz, gz.length / 2)); // deflate data cut short, header intact
        assertThatThrownBy(() -> IdxReader.readFolder(dir, "mnist", IdxReader.DIGITS)).isInstanceOf(UserError.class)
                .hasMessageContaining("train-images-idx3-ubyte").hasMessageContaining("gzip stream ends early");
        Files.write(img, "P5\n4 5\n255\n".getBytes(StandardCharsets.US_ASCII)); // not IDX at all
        assertThatThrownBy(() -> IdxReader.readFolder(dir, "mnist", IdxReader.DIGITS)).isInstanceOf(UserError.class)
                .hasMessageContaining("train-images-idx3-ubyte").hasMessageContaining("expected 0x803");
    }

    @Test
    void unknownDatasetAndInvalidRootAreUserErrors() {
        assertThatThrownBy(() -> Datasets.load("imagenet", null, dir, 0)).isInstanceOf(UserError.class)
                .hasMessageContaining("data.name").hasMessageContaining("'imagenet'").hasMessageContaining("cifar10");
        assertThatThrownBy(() -> Datasets.load("mnist", "bad\0path", dir, 0)).isInstanceOf(UserError.class)
                .hasMessageContaining("data.root").hasMessageContaining("not a valid path");
    }

    @Test
    void missingDatasetSaysHowToGetIt() {
        assertThatThrownBy(() -> Datasets.load("cifar10", null, dir, 0)).isInstanceOf(UserError.class)
                .hasMessageContaining("cifar10").hasMessageContaining("distill4j data fetch cifar10");
        assertThatThrownBy(() -> Datasets.load("mnist", dir.resolve("nowhere").toString(), dir, 0))
                .hasMessageContaining("data.root").hasMessageContaining("nowhere");
        assertThatThrownBy(() -> Datasets.load("image-folder", null, dir, 0)).hasMessageContaining("data.root");
    }

    @Test
    void cacheFolderIsFoundByName() throws IOException {
        Path d = Files.createDirectories(dir.resolve("mnist"));
        writeFolder(d, true);
        assertThat(Datasets.load("mnist", null, dir, 0).train().labels()).containsExactly(0, 9, 4);
    }

    @Test
    void embeddedSubsetIsStratified() {
        DatasetSplits s = Datasets.embedded();
        assertThat(s.train().size()).isEqualTo(10_000);
        assertThat(s.test().size()).isEqualTo(2_000);
        int[] perClass = new int[10];
        for (int l : s.train().labels()) {
            perClass[l]++;
        }
        assertThat(perClass).containsOnly(1000);
        int[] testPerClass = new int[10];
        for (int l : s.test().labels()) {
            testPerClass[l]++;
        }
        assertThat(testPerClass).containsOnly(200);
        assertThat(s.train().classNames()).isEqualTo(List.copyOf(IdxReader.FASHION_CLASSES));
    }
}
