package io.distill4j.data;

import io.distill4j.UserError;
import io.distill4j.config.DataConfig;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;

/**
 * The dataset catalogue. A dataset is looked up in {@code data.root}, else {@code ~/.distill4j/datasets/<name>},
 * else {@code /usr/share/datasets/<name>} (where Debian's {@code dataset-fashion-mnist} installs);
 * {@code fashion-mnist-mini} is embedded in the jar.
 */
public final class Datasets {
    public static final String EMBEDDED = "fashion-mnist-mini";
    private static final String RESOURCES = "/io/distill4j/data/fashion-mnist-mini/";

    private Datasets() {}

    public static List<String> names() {
        return List.of(EMBEDDED, "fashion-mnist", "mnist", "cifar10", "cifar100", "image-folder", "image-list");
    }

    /** The dataset a {@code data:} section names: image folders and lists streamed (see {@code data.stream}). */
    public static DatasetSplits load(DataConfig d) {
        if (d.name().equals("image-list")) {
            return ImageIndex.lists(d.files(), d.imageSize());
        }
        if (d.files().streams(d.name())) {
            return ImageIndex.folder(locate(d.name(), d.root(), null), d.files(), d.imageSize());
        }
        return load(d.name(), d.root(), null, d.imageSize());
    }

    /**
     * @param root       the folder given in the config, or null for the standard lookup
     * @param cacheHome  the user's dataset cache (null: {@code ~/.distill4j/datasets})
     * @param imageSize  image-folder only: resize to this side (0: keep)
     */
    public static DatasetSplits load(String name, String root, Path cacheHome, int imageSize) {
        if (name == null || !names().contains(name)) {
            throw new UserError("data.name: unknown dataset '" + name + "' (known: " + String.join(", ", names()) + ")");
        }
        if (name.equals(EMBEDDED) && root == null) {
            return embedded();
        }
        Path dir = locate(name, root, cacheHome);
        return switch (name) {
            case "fashion-mnist", EMBEDDED -> IdxReader.readFolder(dir, name, IdxReader.FASHION_CLASSES);
            case "mnist" -> IdxReader.readFolder(dir, name, IdxReader.DIGITS);
            case "cifar10" -> CifarReader.cifar10(dir);
            case "cifar100" -> CifarReader.cifar100(dir);
            case "image-folder" -> ImageFolderReader.read(dir, imageSize);
            case "image-list" -> throw new UserError("data.name: image-list is read through its lists "
                    + "(data.train_list, data.test_list)");
            default -> throw new UserError("data.name: unknown dataset '" + name + "' (known: "
                    + String.join(", ", names()) + ")");
        };
    }

    static Path locate(String name, String root, Path cacheHome) {
        if (root != null) {
            Path p;
            try {
                p = Path.of(root.replaceFirst("^~(?=/|$)", Matcher.quoteReplacement(System.getProperty("user.home"))));
            } catch (InvalidPathException e) {
                throw new UserError("data.root: '" + root + "' is not a valid path (" + e.getReason() + ")");
            }
            if (!Files.isDirectory(p)) {
                throw new UserError("data.root: " + p + " is not a folder");
            }
            return p;
        }
        if (name.equals("image-folder")) {
            throw new UserError("data.root: image-folder needs data.root, a folder with train/<class>/ and "
                    + "val/<class>/ (or Tiny ImageNet's layout)");
        }
        Path home = cacheHome != null ? cacheHome : Path.of(System.getProperty("user.home"), ".distill4j", "datasets");
        List<Path> tried = new ArrayList<>();
        for (Path p : List.of(home.resolve(name), Path.of("/usr/share/datasets", name))) {
            tried.add(p);
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        String how = name.equals("fashion-mnist")
                ? "apt-get install dataset-fashion-mnist, or distill4j data fetch fashion-mnist"
                : "distill4j data fetch " + name + ", or set data.root";
        throw new UserError("dataset " + name + " not found (looked in " + tried.get(0) + " and " + tried.get(1)
                + "); get it with: " + how);
    }

    /** The subset of Fashion-MNIST shipped in the jar (10k train / 2k test). */
    public static DatasetSplits embedded() {
        return new DatasetSplits(
                IdxReader.read(resource("train-images-idx3-ubyte.gz"), RESOURCES + "train-images-idx3-ubyte.gz",
                        resource("train-labels-idx1-ubyte.gz"), RESOURCES + "train-labels-idx1-ubyte.gz",
                        EMBEDDED + "/train", IdxReader.FASHION_CLASSES),
                IdxReader.read(resource("t10k-images-idx3-ubyte.gz"), RESOURCES + "t10k-images-idx3-ubyte.gz",
                        resource("t10k-labels-idx1-ubyte.gz"), RESOURCES + "t10k-labels-idx1-ubyte.gz",
                        EMBEDDED + "/test", IdxReader.FASHION_CLASSES));
    }

    private static Supplier<InputStream> resource(String file) {
        return () -> {
            InputStream in = Datasets.class.getResourceAsStream(RESOURCES + file);
            if (in == null) {
                throw new UserError(RESOURCES + file + ": embedded dataset missing from the jar (rebuild it)");
            }
            return in;
        };
    }

    /** The usual per-channel statistics of a dataset; computed from the training split where none is standard. */
    public static Normalization normalization(String name, ImageDataset train) {
        if (train.streamed()) { // photographs: ImageNet's statistics, as MEAL V2 and MKF use
            return new Normalization(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
        }
        return switch (name) {
            case "fashion-mnist", EMBEDDED -> new Normalization(new float[] {0.2860f}, new float[] {0.3530f});
            case "mnist" -> new Normalization(new float[] {0.1307f}, new float[] {0.3081f});
            case "cifar10" -> new Normalization(new float[] {0.4914f, 0.4822f, 0.4465f},
                    new float[] {0.2470f, 0.2435f, 0.2616f});
            case "cifar100" -> new Normalization(new float[] {0.5071f, 0.4865f, 0.4409f},
                    new float[] {0.2673f, 0.2564f, 0.2762f});
            default -> Normalization.of(train);
        };
    }
}
