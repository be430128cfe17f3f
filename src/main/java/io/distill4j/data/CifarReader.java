package io.distill4j.data;

import io.distill4j.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary versions of CIFAR-10 ({@code data_batch_1..5.bin}, {@code test_batch.bin}: records of a label
 * byte and 3072 pixel bytes, R then G then B planes of 32x32) and CIFAR-100 ({@code train.bin},
 * {@code test.bin}: coarse label byte, fine label byte, 3072 pixel bytes; the fine label is used).
 */
public final class CifarReader {
    private static final int PIXELS = 3 * 32 * 32;
    private static final long MAX_BYTES = Integer.MAX_VALUE - 16;
    private static final List<String> CIFAR10_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer",
            "dog", "frog", "horse", "ship", "truck");

    private CifarReader() {}

    public static DatasetSplits cifar10(Path root) {
        Path dir = folder(root, "cifar-10-batches-bin", "test_batch.bin");
        List<String> names = names(dir.resolve("batches.meta.txt"), CIFAR10_CLASSES);
        List<Path> train = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            train.add(dir.resolve("data_batch_" + i + ".bin"));
        }
        return new DatasetSplits(read(train, 1, 0, names, "cifar10/train"),
                read(List.of(dir.resolve("test_batch.bin")), 1, 0, names, "cifar10/test"));
    }

    public static DatasetSplits cifar100(Path root) {
        Path dir = folder(root, "cifar-100-binary", "test.bin");
        List<String> fallback = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            fallback.add(Integer.toString(i));
        }
        List<String> names = names(dir.resolve("fine_label_names.txt"), fallback);
        return new DatasetSplits(read(List.of(dir.resolve("train.bin")), 2, 1, names, "cifar100/train"),
                read(List.of(dir.resolve("test.bin")), 2, 1, names, "cifar100/test"));
    }

    /** The root itself, or its sub-folder as the archive unpacks it. */
    private static Path folder(Path root, String sub, String marker) {
        return Files.exists(root.resolve(marker)) || !Files.isDirectory(root.resolve(sub)) ? root : root.resolve(sub);
    }

    private static List<String> names(Path file, List<String> fallback) {
        if (!Files.exists(file)) {
            return fallback;
        }
        try {
            List<String> names = Files.readAllLines(file).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
            if (names.size() != fallback.size()) {
                throw new UserError(file + ": " + names.size() + " class names, expected " + fallback.size());
            }
            return names;
        } catch (IOException e) {
            throw new UserError(file + ": cannot read: " + e.getMessage());
        }
    }

    /** Reads records of {@code labelBytes} label bytes (the one at {@code labelIndex} is used) and 3072 pixels. */
    static ImageDataset read(List<Path> files, int labelBytes, int labelIndex, List<String> names, String name) {
        int record = labelBytes + PIXELS;
        List<byte[]> contents = new ArrayList<>();
        long total = 0;
        for (Path f : files) {
            byte[] b;
            try {
                long size = Files.size(f);
                if (size > MAX_BYTES) {
                    throw new UserError(f + ": " + size + " bytes is too large for a CIFAR binary file (at most "
                            + MAX_BYTES / record + " records of " + record + " bytes)");
                }
                b = Files.readAllBytes(f);
            } catch (NoSuchFileException e) {
                throw new UserError(f + ": file not found (distill4j data fetch " + name.split("/")[0] + ")");
            } catch (IOException e) {
                throw new UserError(f + ": cannot read: " + e.getMessage());
            }
            if (b.length == 0 || b.length % record != 0) {
                throw new UserError(f + ": truncated or not a CIFAR binary file (" + b.length
                        + " bytes is not a multiple of the " + record + "-byte record)");
            }
            contents.add(b);
            total += b.length / record;
            if (total * PIXELS > MAX_BYTES) {
                throw new UserError(f + ": the files of " + name + " hold " + total + " records, more than the "
                        + MAX_BYTES / PIXELS + " a split can hold");
            }
        }
        int n = (int) total;
        byte[] pixels = new byte[n * PIXELS];
        int[] labels = new int[n];
        int k = 0;
        for (int fi = 0; fi < contents.size(); fi++) {
            byte[] b = contents.get(fi);
            for (int off = 0; off < b.length; off += record, k++) {
                labels[k] = b[off + labelIndex] & 0xff;
                if (labels[k] >= names.size()) {
                    throw new UserError(files.get(fi) + ": label " + labels[k] + " of record " + (off / record)
                            + " is outside 0.." + (names.size() - 1));
                }
                System.arraycopy(b, off + labelBytes, pixels, k * PIXELS, PIXELS);
            }
        }
        return new ImageDataset(name, pixels, labels, 3, 32, 32, names);
    }
}
