package io.distill4j.data;

import com.sun.net.httpserver.HttpServer;
import io.distill4j.UserError;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** CIFAR binaries, image folders (incl. Tiny ImageNet's layout) and the fetcher, on files the test makes. */
class OtherFormatsTest {
    @TempDir
    Path dir;

    private static byte[] cifarRecords(int labelBytes, int[]... labels) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < labels.length; i++) {
            for (int l : labels[i]) {
                b.write(l);
            }
            for (int p = 0; p < 3072; p++) {
                b.write((i * 31 + p) % 256);
            }
        }
        return b.toByteArray();
    }

    @Test
    void cifar10AndCifar100ReadExactly() throws IOException {
        Path c10 = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        for (int i = 1; i <= 5; i++) {
            Files.write(c10.resolve("data_batch_" + i + ".bin"), cifarRecords(1, new int[] {i}, new int[] {9}));
        }
        Files.write(c10.resolve("test_batch.bin"), cifarRecords(1, new int[] {3}));
        DatasetSplits s = CifarReader.cifar10(dir); // the parent of the unpacked folder works
        assertThat(s.train().size()).isEqualTo(10);
        assertThat(s.train().labels()).containsExactly(1, 9, 2, 9, 3, 9, 4, 9, 5, 9);
        assertThat(s.train().channels()).isEqualTo(3);
        assertThat(s.train().pixels()[3072 + 5] & 0xff).isEqualTo((31 + 5) % 256);
        assertThat(s.test().classNames().get(3)).isEqualTo("cat");

        Path c100 = Files.createDirectories(dir.resolve("c100"));
        Files.write(c100.resolve("train.bin"), cifarRecords(2, new int[] {1, 77}, new int[] {2, 5}));
        Files.write(c100.resolve("test.bin"), cifarRecords(2, new int[] {19, 99}));
        DatasetSplits t = CifarReader.cifar100(c100);
        assertThat(t.train().labels()).containsExactly(77, 5);
        assertThat(t.test().labels()).containsExactly(99);
        assertThat(t.train().numClasses()).isEqualTo(100);
    }

    @Test
    void cifarErrorsNameTheFile() throws IOException {
        Path c = Files.createDirectories(dir.resolve("c100"));
        Files.write(c.resolve("train.bin"), Arrays.copyOf(cifarRecords(2, new int[] {1, 2}), 3000));
        Files.write(c.resolve("test.bin"), cifarRecords(2, new int[] {1, 2}));
        assertThatThrownBy(() -> CifarReader.cifar100(c)).isInstanceOf(UserError.class)
                .hasMessageContaining("train.bin").hasMessageContaining("truncated");
        Files.write(c.resolve("train.bin"), cifarRecords(2, new int[] {1, 200}));
        assertThatThrownBy(() -> CifarReader.cifar100(c)).hasMessageContaining("train.bin").hasMessageContaining("label 200");
        Files.delete(c.resolve("test.bin"));
        Files.write(c.resolve("train.bin"), cifarRecords(2, new int[] {1, 2}));
        assertThatThrownBy(() -> CifarReader.cifar100(c)).hasMessageContaining("test.bin").hasMessageContaining("not found");
    }

    private static void png(Path f, int w, int h, boolean gray, int seed) throws IOException {
        Files.createDirectories(f.getParent());
        BufferedImage img = new BufferedImage(w, h, gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = (seed * 40 + y * 10 + x) % 256;
                if (gray) {
                    img.getRaster().setSample(x, y, 0, v); // raw sample: no colour-space conversion
                } else {
                    img.setRGB(x, y, v << 16 | ((v + 1) % 256) << 8 | ((v + 2) % 256));
                }
            }
        }
        ImageIO.write(img, "png", f.toFile());
    }

    @Test
    void imageFolderReadsPixelsAndLabels() throws IOException {
        Path root = dir.resolve("imgs");
        png(root.resolve("train/cat/a.png"), 4, 3, false, 1);
        png(root.resolve("train/dog/b.png"), 4, 3, false, 2);
        png(root.resolve("train/dog/c.PNG"), 4, 3, false, 3);
        png(root.resolve("val/dog/d.png"), 4, 3, false, 4);
        DatasetSplits s = ImageFolderReader.read(root, 0);
        assertThat(s.train().classNames()).containsExactly("cat", "dog");
        assertThat(s.train().labels()).containsExactly(0, 1, 1);
        assertThat(s.test().labels()).containsExactly(1);
        assertThat(s.train().channels()).isEqualTo(3);
        // sample 1 (b.png, seed 2): R plane at (y=1, x=2) = 80 + 10 + 2, G = R + 1
        byte[] px = s.train().pixels();
        assertThat(px[36 + 1 * 4 + 2] & 0xff).isEqualTo(92);
        assertThat(px[36 + 12 + 1 * 4 + 2] & 0xff).isEqualTo(93);

        png(root.resolve("train/dog/e.png"), 5, 3, false, 5);
        assertThatThrownBy(() -> ImageFolderReader.read(root, 0)).isInstanceOf(UserError.class)
                .hasMessageContaining("e.png").hasMessageContaining("data.image_size");
        assertThat(ImageFolderReader.read(root, 8).train().height()).isEqualTo(8);
        png(root.resolve("val/horse/f.png"), 4, 3, false, 6);
        assertThatThrownBy(() -> ImageFolderReader.read(root, 8)).hasMessageContaining("horse");
    }

    @Test
    void trainValAndTestFoldersGiveTheDatasetsOwnValidationSplit() throws IOException {
        Path root = dir.resolve("three");
        png(root.resolve("train/cat/a.png"), 4, 3, false, 1);
        png(root.resolve("train/dog/b.png"), 4, 3, false, 2);
        png(root.resolve("val/cat/c.png"), 4, 3, false, 3);
        png(root.resolve("test/dog/d.png"), 4, 3, false, 4);
        png(root.resolve("test/cat/e.png"), 4, 3, false, 5);
        DatasetSplits s = ImageFolderReader.read(root, 0);
        assertThat(s.test().labels()).containsExactly(0, 1); // test/: cat (e), dog (d)
        assertThat(s.validation().labels()).containsExactly(0); // val/: cat (c)
        assertThat(s.validation().pixels()[0] & 0xff).isEqualTo(120); // c.png, seed 3: R at (0, 0)

        Path two = dir.resolve("two");
        png(two.resolve("train/cat/a.png"), 4, 3, false, 1);
        png(two.resolve("val/cat/c.png"), 4, 3, false, 3);
        DatasetSplits t = ImageFolderReader.read(two, 0);
        assertThat(t.validation()).isNull(); // val/ alone is the test split
        assertThat(t.test().size()).isEqualTo(1);

        Files.createDirectories(root.resolve("val/dog"));
        Files.delete(root.resolve("val/cat/c.png"));
        assertThatThrownBy(() -> ImageFolderReader.read(root, 0)).isInstanceOf(UserError.class)
                .hasMessageContaining(root.resolve("val").toString()).hasMessageContaining("validation split");
    }

    @Test
    void grayscaleFoldersStayOneChannel() throws IOException {
        Path root = dir.resolve("gray");
        png(root.resolve("train/a/1.png"), 3, 3, true, 1);
        png(root.resolve("test/a/2.png"), 3, 3, true, 2);
        DatasetSplits s = ImageFolderReader.read(root, 0);
        assertThat(s.train().channels()).isEqualTo(1);
        assertThat(s.train().pixels()[4] & 0xff).isEqualTo(40 + 10 + 1);
    }

    @Test
    void tinyImageNetLayout() throws IOException {
        Path root = dir.resolve("tiny");
        png(root.resolve("train/n02/images/n02_0.JPEG.png"), 4, 4, false, 1);
        png(root.resolve("train/n01/images/n01_0.png"), 4, 4, false, 2);
        png(root.resolve("val/images/val_0.png"), 4, 4, false, 3);
        png(root.resolve("val/images/val_1.png"), 4, 4, false, 4);
        Files.writeString(root.resolve("wnids.txt"), "n02\nn01\n");
        Files.writeString(root.resolve("words.txt"), "n01\tgoldfish, carp\nn02\tbullfrog\n");
        Files.writeString(root.resolve("val/val_annotations.txt"), "val_0.png\tn01\t0\t0\t3\t3\nval_1.png\tn02\t0\t0\t1\t1\n");
        DatasetSplits s = ImageFolderReader.read(root, 0);
        assertThat(s.train().classNames()).containsExactly("bullfrog", "goldfish");
        assertThat(s.train().labels()).containsExactly(0, 1);
        assertThat(s.test().labels()).containsExactly(1, 0);
    }

    @Test
    void emptyValSplitIsAUserErrorNamingTheFolder() throws IOException {
        Path root = dir.resolve("imgs");
        png(root.resolve("train/cat/a.png"), 4, 3, false, 1);
        png(root.resolve("train/dog/b.png"), 4, 3, false, 2);
        Files.createDirectories(root.resolve("val/cat"));
        Files.createDirectories(root.resolve("val/dog"));
        Files.writeString(root.resolve("val/dog/notes.txt"), "not an image");
        assertThatThrownBy(() -> ImageFolderReader.read(root, 0)).isInstanceOf(UserError.class)
                .hasMessageStartingWith(root.resolve("val") + ": no images")
                .hasMessageContaining("png, jpg, jpeg, bmp").hasMessageContaining("val/<class>/");
        Files.delete(root.resolve("val/dog/notes.txt"));
        Files.delete(root.resolve("val/dog"));
        Files.delete(root.resolve("val/cat"));
        assertThatThrownBy(() -> ImageFolderReader.read(root, 0)).isInstanceOf(UserError.class)
                .hasMessageStartingWith(root.resolve("val") + ": no class folders")
                .hasMessageContaining("val/<class>/");
        Files.createDirectories(root.resolve("test/dog"));
        Files.delete(root.resolve("val"));
        assertThatThrownBy(() -> ImageFolderReader.read(root, 0)).isInstanceOf(UserError.class)
                .hasMessageStartingWith(root.resolve("test") + ": no images");
    }

    @Test
    void classFoldersWithoutImagesAreUserErrorsNamingTheFolder() throws IOException {
        Path root = dir.resolve("imgs");
        Files.createDirectories(root.resolve("train/cat"));
        Files.createDirectories(root.resolve("train/dog"));
        Files.writeString(root.resolve("train/dog/readme.gif"), "not read");
        png(root.resolve("val/dog/d.png"), 4, 3, false, 4);
        assertThatThrownBy(() -> ImageFolderReader.read(root, 0)).isInstanceOf(UserError.class)
                .hasMessageStartingWith(root.resolve("train") + ": no images (png, jpg, jpeg, bmp) in any of its 2 class");
        png(root.resolve("train/dog/b.png"), 4, 3, false, 2);
        assertThatThrownBy(() -> ImageFolderReader.read(root, 0)).isInstanceOf(UserError.class)
                .hasMessageStartingWith(root.resolve("train/cat") + ": class folder has no images")
                .hasMessageContaining("at least one");
        png(root.resolve("train/cat/a.png"), 4, 3, false, 1);
        Files.createDirectories(root.resolve("train/.ipynb_checkpoints")); // hidden: no class
        assertThat(ImageFolderReader.read(root, 0).train().classNames()).containsExactly("cat", "dog");
        Files.createDirectories(root.resolve("train/.hidden"));
        Files.createDirectories(root.resolve("val/.hidden"));
        assertThat(ImageFolderReader.read(root, 0).test().labels()).containsExactly(1);
    }

    @Test
    void grayTrainAndColourValShareOneChannelCount() throws IOException {
        Path root = dir.resolve("mixed");
        png(root.resolve("train/a/1.png"), 3, 3, true, 1);
        png(root.resolve("val/a/2.png"), 3, 3, false, 2);
        DatasetSplits s = ImageFolderReader.read(root, 0);
        assertThat(s.train().channels()).isEqualTo(3);
        assertThat(s.test().channels()).isEqualTo(3);
        assertThat(s.train().pixels()[4] & 0xff).isEqualTo(40 + 10 + 1); // gray replicated to R, G, B
        assertThat(s.train().pixels()[9 + 4] & 0xff).isEqualTo(40 + 10 + 1);
    }

    @Test
    void unreadableImagesAreUserErrorsNamingTheFile() throws IOException {
        Path root = dir.resolve("bad");
        png(root.resolve("train/a/1.png"), 3, 3, false, 1);
        png(root.resolve("val/a/2.png"), 3, 3, false, 2);
        Files.write(root.resolve("train/a/0.png"), "no png".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ImageFolderReader.read(root, 0)).isInstanceOf(UserError.class)
                .hasMessageContaining("0.png").hasMessageContaining("png, jpg, jpeg, bmp");
        byte[] good = Files.readAllBytes(root.resolve("train/a/1.png"));
        Files.write(root.resolve("train/a/0.png"), Arrays.copyOf(good, good.length / 2));
        assertThatThrownBy(() -> ImageFolderReader.read(root, 0)).isInstanceOf(UserError.class)
                .hasMessageContaining("0.png").hasMessageContaining("cannot read image");
    }

    @Test
    void splitsTooLargeForOneArrayAreUserErrors() throws IOException {
        Path root = dir.resolve("many");
        png(root.resolve("train/a/0.png"), 1, 1, true, 0);
        for (int i = 1; i < 130; i++) {
            Files.copy(root.resolve("train/a/0.png"), root.resolve("train/a/" + i + ".png"));
        }
        png(root.resolve("val/a/x.png"), 1, 1, true, 0);
        // 130 images of 4096x4096 exceed a Java array even as one channel: refused before any decoding
        assertThatThrownBy(() -> ImageFolderReader.read(root, 4096)).isInstanceOf(UserError.class)
                .hasMessageStartingWith(root.resolve("train") + ": 130 images of 1x4096x4096")
                .hasMessageContaining("data.image_size");
    }

    @Test
    void tinyImageNetLayoutErrorsNameTheFile() throws IOException {
        Path root = dir.resolve("tiny");
        png(root.resolve("train/n01/images/a.png"), 4, 4, false, 1);
        png(root.resolve("val/images/val_0.png"), 4, 4, false, 3);
        Files.writeString(root.resolve("wnids.txt"), "n01\nn02\n");
        Path ann = root.resolve("val/val_annotations.txt");
        Files.writeString(ann, "val_0.png\tn01\n");
        assertThatThrownBy(() -> ImageFolderReader.read(root, 0)).isInstanceOf(UserError.class)
                .hasMessageStartingWith(root.resolve("train/n02/images") + ": no such folder")
                .hasMessageContaining("wnids.txt");
        Files.writeString(root.resolve("wnids.txt"), "n01\nn01\n");
        assertThatThrownBy(() -> ImageFolderReader.read(root, 0)).isInstanceOf(UserError.class)
                .hasMessageContaining("wnids.txt").hasMessageContaining("'n01' is listed twice");
        Files.writeString(root.resolve("wnids.txt"), "\n");
        assertThatThrownBy(() -> ImageFolderReader.read(root, 0)).isInstanceOf(UserError.class)
                .hasMessageContaining("wnids.txt").hasMessageContaining("lists no classes");
        Files.writeString(root.resolve("wnids.txt"), "n01\n");
        Files.writeString(ann, "val_9.png\tn01\n");
        assertThatThrownBy(() -> ImageFolderReader.read(root, 0)).isInstanceOf(UserError.class)
                .hasMessageStartingWith(root.resolve("val/images/val_9.png") + ": image not found")
                .hasMessageContaining("val_annotations.txt");
        Files.writeString(ann, "\n");
        assertThatThrownBy(() -> ImageFolderReader.read(root, 0)).isInstanceOf(UserError.class)
                .hasMessageStartingWith(ann + ": lists no images");
        Files.writeString(ann, "val_0.png\tn01\n");
        assertThat(ImageFolderReader.read(root, 0).test().labels()).containsExactly(0);
    }

    @Test
    void cifarFileTooLargeIsAUserError() throws IOException {
        Path c = Files.createDirectories(dir.resolve("c100"));
        Files.write(c.resolve("test.bin"), cifarRecords(2, new int[] {1, 2}));
        try (RandomAccessFile f = new RandomAccessFile(c.resolve("train.bin").toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: no disk used
        }
        assertThatThrownBy(() -> CifarReader.cifar100(c)).isInstanceOf(UserError.class)
                .hasMessageContaining("train.bin").hasMessageContaining("too large for a CIFAR binary file");
    }

    private static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    private static byte[] tarGz(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(b))) {
            for (var e : entries.entrySet()) {
                TarArchiveEntry t = new TarArchiveEntry(e.getKey());
                t.setSize(e.getValue().length);
                tar.putArchiveEntry(t);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        }
        return b.toByteArray();
    }

    @Test
    void fetcherDownloadsVerifiesAndUnpacks() throws Exception {
        byte[] plain = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] archive = tarGz(Map.of("folder/inside.bin", new byte[] {1, 2, 3}));
        byte[] evil = tarGz(Map.of("../escape.bin", new byte[] {9}));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        Map<String, byte[]> files = Map.of("/plain.txt", plain, "/a.tar.gz", archive, "/evil.tar.gz", evil);
        server.createContext("/", ex -> {
            byte[] body = files.get(ex.getRequestURI().getPath());
            ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            PrintStream log = new PrintStream(new ByteArrayOutputStream());
            DatasetFetcher f = new DatasetFetcher(Map.of(
                    "good", List.of(new DatasetFetcher.Source(base + "/plain.txt", "plain.txt", md5(plain), false),
                            new DatasetFetcher.Source(base + "/a.tar.gz", "a.tar.gz", md5(archive), true)),
                    "bad", List.of(new DatasetFetcher.Source(base + "/plain.txt", "plain.txt", "0".repeat(32), false)),
                    "evil", List.of(new DatasetFetcher.Source(base + "/evil.tar.gz", "evil.tar.gz", md5(evil), true)),
                    "gone", List.of(new DatasetFetcher.Source(base + "/missing", "missing", "0".repeat(32), false))));
            Path good = f.fetch("good", dir.resolve("good"), log);
            assertThat(Files.readAllBytes(good.resolve("plain.txt"))).isEqualTo(plain);
            assertThat(Files.readAllBytes(good.resolve("folder/inside.bin"))).containsExactly(1, 2, 3);
            f.fetch("good", dir.resolve("good"), log); // present and verified: no second download needed

            assertThatThrownBy(() -> f.fetch("bad", dir.resolve("bad"), log)).isInstanceOf(UserError.class)
                    .hasMessageContaining(base + "/plain.txt").hasMessageContaining("checksum");
            try (var s = Files.list(dir.resolve("bad"))) {
                assertThat(s.toList()).isEmpty(); // no partial file left behind
            }
            assertThatThrownBy(() -> f.fetch("evil", dir.resolve("evil"), log)).isInstanceOf(UserError.class)
                    .hasMessageContaining("outside");
            assertThat(dir.resolve("escape.bin")).doesNotExist();
            assertThatThrownBy(() -> f.fetch("gone", dir.resolve("gone"), log)).hasMessageContaining("HTTP 404");
            assertThatThrownBy(() -> f.fetch("nope", dir, log)).hasMessageContaining("nope").hasMessageContaining("good");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void officialCatalogueNamesEveryDataset() {
        assertThat(DatasetFetcher.official().keySet())
                .containsExactly("mnist", "fashion-mnist", "cifar10", "cifar100", "tiny-imagenet");
        DatasetFetcher.official().values().forEach(l -> l.forEach(s -> assertThat(s.md5()).matches("[0-9a-f]{32}")));
    }
}
