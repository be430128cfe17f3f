package io.distill4j.data;

import io.distill4j.UserError;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Images in folders: {@code train/<class>/*} with {@code val/<class>/*} or {@code test/<class>/*} as the test split;
 * with both, {@code test/} is the test split and {@code val/} the dataset's own validation split
 * ({@code data.validation: split}). Or Tiny ImageNet's layout ({@code train/<wnid>/images/*.JPEG}, {@code val/images/*} labelled by {@code val/val_annotations.txt}).
 * Decoded in parallel; stored as RGB unless every image is grayscale.
 */
public final class ImageFolderReader {
    private ImageFolderReader() {}

    private record Item(Path file, int label) {}

    private static final String KINDS = "png, jpg, jpeg, bmp";

    public static DatasetSplits read(Path root, int imageSize) {
        Path train = root.resolve("train");
        if (!Files.isDirectory(train)) {
            throw new UserError(train + ": no train/ folder (expected train/<class>/ and val/<class>/)");
        }
        boolean tiny = Files.exists(root.resolve("val").resolve("val_annotations.txt"));
        Path wnids = root.resolve("wnids.txt");
        boolean listed = tiny && Files.exists(wnids);
        List<String> classes = listed ? ImageIndex.lines(wnids) : ImageIndex.subfolders(train);
        if (classes.isEmpty()) {
            throw new UserError(listed ? wnids + ": lists no classes (expected one wnid a line)"
                    : train + ": no class folders (expected train/<class>/ with " + KINDS + " images)");
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            if (index.put(classes.get(i), i) != null) {
                throw new UserError(wnids + ": class '" + classes.get(i) + "' is listed twice");
            }
        }
        List<Item> trainItems = new ArrayList<>();
        List<Path> emptyClasses = new ArrayList<>();
        for (String c : classes) {
            Path dir = tiny ? train.resolve(c).resolve("images") : train.resolve(c);
            if (!Files.isDirectory(dir)) {
                throw new UserError(dir + ": no such folder (" + (listed ? wnids + " lists class '" + c + "'; " : "")
                        + "expected train/<wnid>/images/ with the class's images)");
            }
            List<Path> files = images(dir);
            if (files.isEmpty()) {
                emptyClasses.add(dir);
            }
            for (Path f : files) {
                trainItems.add(new Item(f, index.get(c)));
            }
        }
        if (trainItems.isEmpty()) {
            throw new UserError(train + ": no images (" + KINDS + ") in " + folders(classes.size())
                    + " (expected train/<class>/*.png etc.)");
        }
        if (!emptyClasses.isEmpty()) {
            throw new UserError(emptyClasses.get(0) + ": class folder has no images (" + KINDS + "); every train class "
                    + "needs at least one (remove the folder or add images)"
                    + (emptyClasses.size() > 1 ? "; " + (emptyClasses.size() - 1) + " more class folder(s) are empty too"
                    : ""));
        }
        List<Item> testItems = new ArrayList<>();
        Path testDir;
        Path validationDir = null;
        List<Item> validationItems = null;
        if (tiny) {
            Path ann = root.resolve("val").resolve("val_annotations.txt");
            testDir = ann;
            for (String line : ImageIndex.lines(ann)) {
                String[] parts = line.split("\t");
                Integer label = parts.length > 1 ? index.get(parts[1]) : null;
                if (label == null) {
                    throw new UserError(ann + ": line '" + line + "' names no known class (expected <file><TAB><wnid>... "
                            + "with a wnid of train/)");
                }
                Path f;
                try {
                    f = root.resolve("val").resolve("images").resolve(parts[0]);
                } catch (InvalidPathException e) {
                    throw new UserError(ann + ": line '" + line + "' names no valid file: " + e.getMessage());
                }
                if (!Files.isRegularFile(f)) {
                    throw new UserError(f + ": image not found (listed in " + ann + ")");
                }
                testItems.add(new Item(f, label));
            }
            if (testItems.isEmpty()) {
                throw new UserError(ann + ": lists no images (expected lines <file><TAB><wnid>...)");
            }
        } else {
            Path val = root.resolve("val");
            Path test = root.resolve("test");
            if (!Files.isDirectory(val) && !Files.isDirectory(test)) {
                throw new UserError(root + ": no val/ or test/ folder (expected val/<class>/ beside train/<class>/)");
            }
            if (Files.isDirectory(val) && Files.isDirectory(test)) { // train/, val/, test/: val/ validates
                validationDir = val;
                validationItems = labelledSplit(val, index, classes, "validation split");
                testDir = test;
            } else {
                testDir = Files.isDirectory(val) ? val : test;
            }
            testItems.addAll(labelledSplit(testDir, index, classes, "test split"));
        }
        List<String> names = tiny ? ImageIndex.words(root.resolve("words.txt"), classes) : classes;
        int h;
        int w;
        if (imageSize > 0) {
            h = imageSize;
            w = imageSize;
        } else {
            BufferedImage first = decode(trainItems.get(0).file());
            h = first.getHeight();
            w = first.getWidth();
        }
        checkSize(train, trainItems.size(), 1, h, w);
        checkSize(testDir, testItems.size(), 1, h, w);
        Decoded tr = decodeAll(trainItems, h, w, imageSize > 0);
        Decoded te = decodeAll(testItems, h, w, imageSize > 0);
        Decoded va = validationItems == null ? null : decodeAll(validationItems, h, w, imageSize > 0);
        int c = tr.allGray() && te.allGray() && (va == null || va.allGray()) ? 1 : 3; // one channel count for all
        checkSize(train, trainItems.size(), c, h, w);
        checkSize(testDir, testItems.size(), c, h, w);
        if (va != null) {
            checkSize(validationDir, validationItems.size(), c, h, w);
        }
        return new DatasetSplits(pack(trainItems, tr, c, h, w, names, "image-folder/train"),
                pack(testItems, te, c, h, w, names, "image-folder/test"),
                va == null ? null : pack(validationItems, va, c, h, w, names, "image-folder/validation"));
    }

    /** A split of class folders named as in train/: every image with its class's label; none is an error. */
    private static List<Item> labelledSplit(Path dir, Map<String, Integer> index, List<String> classes,
                                            String what) {
        List<String> dirClasses = ImageIndex.subfolders(dir);
        if (dirClasses.isEmpty()) {
            throw new UserError(dir + ": no class folders (expected " + dir.getFileName()
                    + "/<class>/ with " + KINDS + " images, the classes named as in train/)");
        }
        List<Item> items = new ArrayList<>();
        for (String c : dirClasses) {
            Integer label = index.get(c);
            if (label == null) {
                throw new UserError(dir.resolve(c) + ": class '" + c + "' is not among the train classes ("
                        + String.join(", ", classes.size() <= 20 ? classes : classes.subList(0, 20))
                        + (classes.size() > 20 ? ", ..." : "") + ")");
            }
            for (Path f : images(dir.resolve(c))) {
                items.add(new Item(f, label));
            }
        }
        if (items.isEmpty()) {
            throw new UserError(dir + ": no images (" + KINDS + ") in " + folders(dirClasses.size())
                    + "; the " + what + " would be empty (expected " + dir.getFileName() + "/<class>/*.png etc.)");
        }
        return items;
    }

    private static String folders(int n) {
        return n == 1 ? "its class folder" : "any of its " + n + " class folders";
    }

    /** A split is one byte array: its size must stay below Java's array limit. */
    private static void checkSize(Path where, long n, int c, int h, int w) {
        long bytes = n * c * h * w;
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new UserError(where + ": " + n + " images of " + c + "x" + h + "x" + w + " are " + bytes
                    + " bytes, more than the " + (Integer.MAX_VALUE - 8) + " a split can hold (set data.image_size "
                    + "smaller, or use fewer images)");
        }
    }

    private record Decoded(byte[][] rgb, boolean allGray) {}

    private static Decoded decodeAll(List<Item> items, int h, int w, boolean resize) {
        int n = items.size();
        byte[][] rgb = new byte[n][];
        boolean[] gray = new boolean[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            BufferedImage img = decode(items.get(i).file());
            if (img.getHeight() != h || img.getWidth() != w) {
                if (!resize) {
                    throw new UserError(items.get(i).file() + ": " + img.getWidth() + "x" + img.getHeight()
                            + " differs from " + w + "x" + h + " (set data.image_size to resize)");
                }
                BufferedImage r = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = r.createGraphics();
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(img, 0, 0, w, h, null);
                g.dispose();
                gray[i] = img.getColorModel().getNumColorComponents() == 1;
                img = r;
            } else {
                gray[i] = img.getColorModel().getNumColorComponents() == 1;
            }
            byte[] px = new byte[3 * h * w];
            boolean raw = gray[i] && img.getRaster().getNumBands() == 1; // gray samples as stored, no colour conversion
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = raw ? img.getRaster().getSample(x, y, 0) * 0x010101 : img.getRGB(x, y);
                    px[y * w + x] = (byte) (p >> 16);
                    px[h * w + y * w + x] = (byte) (p >> 8);
                    px[2 * h * w + y * w + x] = (byte) p;
                }
            }
            rgb[i] = px;
        });
        return new Decoded(rgb, IntStream.range(0, n).allMatch(i -> gray[i]));
    }

    private static ImageDataset pack(List<Item> items, Decoded d, int c, int h, int w, List<String> names, String name) {
        int n = items.size();
        byte[] pixels = new byte[n * c * h * w];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(d.rgb()[i], 0, pixels, i * c * h * w, c * h * w); // gray: the R plane
            labels[i] = items.get(i).label();
        }
        return new ImageDataset(name, pixels, labels, c, h, w, names);
    }

    private static BufferedImage decode(Path f) {
        try {
            BufferedImage img = ImageIO.read(f.toFile());
            if (img == null) {
                throw new UserError(f + ": not a readable image (" + KINDS + ")");
            }
            if (3L * img.getWidth() * img.getHeight() > Integer.MAX_VALUE - 8) {
                throw new UserError(f + ": " + img.getWidth() + "x" + img.getHeight() + " is too large an image "
                        + "(at most " + (Integer.MAX_VALUE - 8) / 3 + " pixels; use smaller images)");
            }
            return img;
        } catch (IOException e) {
            throw new UserError(f + ": cannot read image (" + KINDS + "): " + e.getMessage()
                    + (e.getCause() != null ? " (" + e.getCause() + ")" : ""));
        } catch (UserError e) {
            throw e;
        } catch (RuntimeException e) { // decoders throw these on some corrupt files
            throw new UserError(f + ": corrupt or unsupported image (" + KINDS + "): " + e);
        } catch (OutOfMemoryError e) { // a header claiming huge dimensions
            throw new UserError(f + ": image too large to decode (" + e.getMessage() + ")");
        }
    }

    private static List<Path> images(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT)
                    .matches(".*\\.(png|jpe?g|bmp)")).sorted().toList();
        } catch (IOException e) {
            throw new UserError(dir + ": cannot list images: " + e.getMessage());
        }
    }
}
