package io.distill4j.data;

import io.distill4j.UserError;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * IDX files (MNIST, Fashion-MNIST), plain or gzipped (detected by the gzip magic, not the file name).
 * Images: magic 0x00000803, dims N, H, W, unsigned bytes. Labels: magic 0x00000801, dim N.
 */
public final class IdxReader {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    public static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private IdxReader() {}

    /** Reads {@code train-*} and {@code t10k-*} IDX files (each optionally {@code .gz}) from a folder. */
    public static DatasetSplits readFolder(Path dir, String name, List<String> classes) {
        Path trainImages = find(dir, "train-images-idx3-ubyte");
        ImageDataset train = read(trainImages, find(dir, "train-labels-idx1-ubyte"), name + "/train", classes);
        Path testImages = find(dir, "t10k-images-idx3-ubyte");
        ImageDataset test = read(testImages, find(dir, "t10k-labels-idx1-ubyte"), name + "/test", classes);
        if (train.height() != test.height() || train.width() != test.width()) {
            throw new UserError(testImages + ": its images are " + test.height() + "x" + test.width() + " but those of "
                    + trainImages + " are " + train.height() + "x" + train.width()
                    + " (height x width; train and test images must have the same size)");
        }
        return new DatasetSplits(train, test);
    }

    /** True when the folder holds the four IDX files (plain or gzipped). */
    public static boolean present(Path dir) {
        for (String f : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte")) {
            if (!Files.exists(dir.resolve(f)) && !Files.exists(dir.resolve(f + ".gz"))) {
                return false;
            }
        }
        return true;
    }

    static Path find(Path dir, String base) {
        Path plain = dir.resolve(base);
        if (Files.exists(plain)) {
            return plain;
        }
        Path gz = dir.resolve(base + ".gz");
        if (Files.exists(gz)) {
            return gz;
        }
        throw new UserError(dir.resolve(base) + "[.gz]: IDX file not found");
    }

    public static ImageDataset read(Path images, Path labels, String name, List<String> classes) {
        return read(() -> open(images), images.toString(), () -> open(labels), labels.toString(), name, classes);
    }

    /** Reads from streams (used for the dataset embedded as class-path resources). */
    public static ImageDataset read(Supplier<InputStream> images, String imagesName, Supplier<InputStream> labels,
                                    String labelsName, String name, List<String> classes) {
        int[] dims = new int[3];
        byte[] pixels = readArray(images, imagesName, IMAGES_MAGIC, dims);
        int[] ldims = new int[1];
        byte[] rawLabels = readArray(labels, labelsName, LABELS_MAGIC, ldims);
        if (dims[0] != ldims[0]) {
            throw new UserError(labelsName + ": " + ldims[0] + " labels for " + dims[0] + " images in " + imagesName);
        }
        int[] lab = new int[rawLabels.length];
        for (int i = 0; i < lab.length; i++) {
            lab[i] = rawLabels[i] & 0xff;
            if (lab[i] >= classes.size()) {
                throw new UserError(labelsName + ": label " + lab[i] + " of sample " + i + " is outside 0.."
                        + (classes.size() - 1));
            }
        }
        return new ImageDataset(name, pixels, lab, 1, dims[1], dims[2], classes);
    }

    private static final String[] DIM_NAMES = {"the count of items", "dimension 1 (height)", "dimension 2 (width)"};

    private static String dimsText(int[] dims, int upTo) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i <= upTo; i++) {
            b.append(i > 0 ? "x" : "").append(dims[i]);
        }
        return b.toString();
    }

    private static InputStream open(Path p) {
        try {
            return Files.newInputStream(p);
        } catch (NoSuchFileException e) {
            throw new UserError(p + ": file not found");
        } catch (IOException e) {
            throw new UserError(p + ": cannot read: " + e.getMessage());
        }
    }

    private static byte[] readArray(Supplier<InputStream> source, String file, int magic, int[] dims) {
        try (InputStream raw = new BufferedInputStream(source.get(), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = (b0 == 0x1f && b1 == 0x8b) ? new GZIPInputStream(raw, 1 << 16) : raw;
            DataInputStream data = new DataInputStream(in);
            int m = data.readInt();
            if (m != magic) {
                throw new UserError(file + ": not an IDX " + (magic == IMAGES_MAGIC ? "image" : "label")
                        + " file (magic 0x" + Integer.toHexString(m) + ", expected 0x" + Integer.toHexString(magic) + ")");
            }
            long total = 1;
            for (int i = 0; i < dims.length; i++) {
                dims[i] = data.readInt();
                if (dims[i] <= 0) {
                    throw new UserError(file + ": " + DIM_NAMES[i] + " in the header is " + dims[i]
                            + " (must be at least 1)");
                }
                total *= dims[i]; // below 2^31 before, so no overflow
                if (total > Integer.MAX_VALUE - 16) {
                    throw new UserError(file + ": too large (header dimensions " + dimsText(dims, i)
                            + " exceed " + (Integer.MAX_VALUE - 16) + " bytes)");
                }
            }
            byte[] out = data.readNBytes((int) total);
            if (out.length != total) {
                throw new UserError(file + ": truncated (" + out.length + " of " + total + " data bytes)");
            }
            return out;
        } catch (EOFException e) {
            // the header is read first, so an end of file here is in the header; gzip reports its own early end so
            throw new UserError(file + (e.getMessage() != null && e.getMessage().contains("ZLIB")
                    ? ": truncated (gzip stream ends early)" : ": truncated (header incomplete)"));
        } catch (ZipException e) {
            throw new UserError(file + ": corrupt gzip data: " + e.getMessage());
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("Unexpected end of ZLIB")) {
                throw new UserError(file + ": truncated (gzip stream ends early)");
            }
            throw new UserError(file + ": cannot read: " + e.getMessage());
        }
    }
}
