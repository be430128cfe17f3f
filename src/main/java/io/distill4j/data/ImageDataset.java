package io.distill4j.data;

import java.util.List;
import java.util.Objects;

/**
 * An image classification split held in memory as unsigned bytes, channel-first (N, C, H, W), or streamed: its
 * image files indexed ({@link StreamedImages}) and decoded batch by batch, (3, H, W) being the network's input.
 *
 * <p>Sample {@code i} keeps its index {@code i} through batching, so per-sample knowledge stores can key on it.
 */
public final class ImageDataset {
    private final String name;
    private final byte[] pixels;
    private final int[] labels;
    private final int channels;
    private final int height;
    private final int width;
    private final List<String> classNames;
    private final StreamedImages files;

    public ImageDataset(String name, byte[] pixels, int[] labels, int channels, int height, int width,
                        List<String> classNames) {
        this(name, Objects.requireNonNull(pixels), null, labels, channels, height, width, classNames);
    }

    /** A streamed split: sample i is {@code files.file(i)}, decoded when a batch needs it. */
    public static ImageDataset streamed(String name, StreamedImages files, int[] labels, int height, int width,
                                        List<String> classNames) {
        if (files.size() != labels.length) {
            throw new IllegalArgumentException(name + ": " + files.size() + " files for " + labels.length + " labels");
        }
        return new ImageDataset(name, null, files, labels, 3, height, width, classNames);
    }

    private ImageDataset(String name, byte[] pixels, StreamedImages files, int[] labels, int channels, int height,
                         int width, List<String> classNames) {
        this.name = Objects.requireNonNull(name);
        this.pixels = pixels;
        this.files = files;
        this.labels = Objects.requireNonNull(labels);
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classNames = List.copyOf(classNames);
        long expected = (long) labels.length * channels * height * width;
        if (pixels != null && pixels.length != expected) {
            throw new IllegalArgumentException(name + ": " + pixels.length + " pixel bytes for " + labels.length
                    + " samples of " + channels + "x" + height + "x" + width);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of sample " + i
                        + " is outside 0.." + (classNames.size() - 1));
            }
        }
    }

    public String name() { return name; }
    public int size() { return labels.length; }
    public int channels() { return channels; }
    public int height() { return height; }
    public int width() { return width; }
    public int numClasses() { return classNames.size(); }
    public List<String> classNames() { return classNames; }
    public int sampleBytes() { return channels * height * width; }

    /** Raw pixel storage, shared (not copied): sample i occupies [i*sampleBytes, (i+1)*sampleBytes). */
    public byte[] pixels() {
        if (pixels == null) {
            throw new IllegalStateException(name + " is streamed from its files: it has no pixels in memory");
        }
        return pixels;
    }

    /** True when the split is read from its files batch by batch. */
    public boolean streamed() { return files != null; }

    /** The files of a streamed split (null when held in memory). */
    public StreamedImages files() { return files; }

    /** Labels, shared (not copied). */
    public int[] labels() { return labels; }

    public int label(int i) { return labels[i]; }

    /** A new dataset made of the given samples (in that order), with relabelled labels if given. */
    public ImageDataset select(int[] indices, String newName) {
        if (files != null) {
            int[] lb = new int[indices.length];
            for (int k = 0; k < indices.length; k++) {
                lb[k] = labels[indices[k]];
            }
            return new ImageDataset(newName, null, files.select(indices), lb, channels, height, width, classNames);
        }
        int sb = sampleBytes();
        byte[] px = new byte[indices.length * sb];
        int[] lb = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(pixels, indices[k] * sb, px, k * sb, sb);
            lb[k] = labels[indices[k]];
        }
        return new ImageDataset(newName, px, lb, channels, height, width, classNames);
    }

    /** A copy of this dataset with other labels (e.g. label noise); pixels are shared. */
    public ImageDataset withLabels(int[] newLabels) {
        if (newLabels.length != labels.length) {
            throw new IllegalArgumentException("label count " + newLabels.length + " != " + labels.length);
        }
        return new ImageDataset(name, pixels, files, newLabels, channels, height, width, classNames);
    }
}
