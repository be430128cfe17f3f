package io.distill4j.data;

import io.distill4j.UserError;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Images in folders: {@code train/<class>/*} with {@code val/<class>/*} (or {@code test/}), or Tiny ImageNet's
 * layout ({@code train/<wnid>/images/*.JPEG}, {@code val/images/*} labelled by {@code val/val_annotations.txt}).
 * Decoded in parallel; stored as RGB unless every image is grayscale.
 */
public final class ImageFolderReader {
    private ImageFolderReader() {}

    private record Item(Path file, int label) {}

    public static DatasetSplits read(Path root, int imageSize) {
        Path train = root.resolve("train");
        if (!Files.isDirectory(train)) {
            throw new UserError(train + ": no train/ folder (expected train/<class>/ and val/<class>/)");
        }
        boolean tiny = Files.exists(root.resolve("val").resolve("val_annotations.txt"));
        List<String> classes = tiny && Files.exists(root.resolve("wnids.txt")) ? lines(root.resolve("wnids.txt"))
                : subfolders(train);
        if (classes.isEmpty()) {
            throw new UserError(train + ": no class folders");
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            index.put(classes.get(i), i);
        }
        List<Item> trainItems = new ArrayList<>();
        for (String c : classes) {
            Path dir = tiny ? train.resolve(c).resolve("images") : train.resolve(c);
            for (Path f : images(dir)) {
                trainItems.add(new Item(f, index.get(c)));
            }
        }
        List<Item> testItems = new ArrayList<>();
        if (tiny) {
            Path ann = root.resolve("val").resolve("val_annotations.txt");
            for (String line : lines(ann)) {
                String[] parts = line.split("\t");
                Integer label = parts.length > 1 ? index.get(parts[1]) : null;
                if (label == null) {
                    throw new UserError(ann + ": line '" + line + "' names no known class");
                }
                testItems.add(new Item(root.resolve("val").resolve("images").resolve(parts[0]), label));
            }
        } else {
            Path val = Files.isDirectory(root.resolve("val")) ? root.resolve("val") : root.resolve("test");
            if (!Files.isDirectory(val)) {
                throw new UserError(root + ": no val/ or test/ folder");
            }
            for (String c : subfolders(val)) {
                Integer label = index.get(c);
                if (label == null) {
                    throw new UserError(val.resolve(c) + ": class '" + c + "' is not among the train classes");
                }
                for (Path f : images(val.resolve(c))) {
                    testItems.add(new Item(f, label));
                }
            }
        }
        List<String> names = tiny ? words(root.resolve("words.txt"), classes) : classes;
        BufferedImage first = decode(trainItems.get(0).file());
        int h = imageSize > 0 ? imageSize : first.getHeight();
        int w = imageSize > 0 ? imageSize : first.getWidth();
        return new DatasetSplits(load(trainItems, h, w, imageSize > 0, names, "image-folder/train"),
                load(testItems, h, w, imageSize > 0, names, "image-folder/test"));
    }

    private static ImageDataset load(List<Item> items, int h, int w, boolean resize, List<String> names, String name) {
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
        boolean allGray = n > 0 && IntStream.range(0, n).allMatch(i -> gray[i]);
        int c = allGray ? 1 : 3;
        byte[] pixels = new byte[n * c * h * w];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rgb[i], 0, pixels, i * c * h * w, c * h * w); // gray: the R plane
            labels[i] = items.get(i).label();
        }
        return new ImageDataset(name, pixels, labels, c, h, w, names);
    }

    private static BufferedImage decode(Path f) {
        try {
            BufferedImage img = ImageIO.read(f.toFile());
            if (img == null) {
                throw new UserError(f + ": not a readable image (png, jpg, bmp)");
            }
            return img;
        } catch (IOException e) {
            throw new UserError(f + ": cannot read image: " + e.getMessage());
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

    private static List<String> subfolders(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UserError(dir + ": cannot list: " + e.getMessage());
        }
    }

    private static List<String> lines(Path f) {
        try {
            return Files.readAllLines(f).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new UserError(f + ": cannot read: " + e.getMessage());
        }
    }

    /** Tiny ImageNet: the first name of each wnid from words.txt, else the wnid. */
    private static List<String> words(Path f, List<String> wnids) {
        if (!Files.exists(f)) {
            return wnids;
        }
        Map<String, String> m = new HashMap<>();
        for (String line : lines(f)) {
            String[] parts = line.split("\t", 2);
            if (parts.length == 2) {
                m.put(parts[0], parts[1].split(",")[0].strip());
            }
        }
        return wnids.stream().map(w -> m.getOrDefault(w, w)).toList();
    }
}
