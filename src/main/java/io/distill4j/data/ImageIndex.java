package io.distill4j.data;

import io.distill4j.UserError;
import io.distill4j.config.ImageFilesConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Streamed datasets of image files, indexed without decoding: an image folder ({@code train/<class>/*} with
 * {@code val/} and/or {@code test/}, ImageNet's layout; or Tiny ImageNet's) or image lists ({@code path,label}
 * CSV files). Folders are indexed in sorted order (classes, then file names), lists in their order; each split
 * gets a fingerprint of its paths, labels and file sizes. Every problem found while indexing (a missing file, an
 * empty class folder, a file that is not an image, a label not among the classes) is gathered into one error.
 */
public final class ImageIndex {
    private static final int NAMED = 5;

    private final ImageFilesConfig cfg;
    private final int imageSize;
    private final List<String> problems = new ArrayList<>();
    private final Set<String> skipped = ConcurrentHashMap.newKeySet();

    private ImageIndex(ImageFilesConfig cfg, int imageSize) {
        this.cfg = cfg;
        this.imageSize = imageSize;
    }

    private record Split(Path base, List<String> paths, List<Integer> labels, MessageDigest digest) {
        Split(Path base) {
            this(base, new ArrayList<>(), new ArrayList<>(), sha256());
        }

        void add(String path, int label, long size) {
            paths.add(path);
            labels.add(label);
            digest.update((path + "\t" + label + "\t" + size + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The splits of an image folder. */
    public static DatasetSplits folder(Path root, ImageFilesConfig cfg, int imageSize) {
        return new ImageIndex(cfg, imageSize).readFolder(root);
    }

    /** The splits of image lists ({@code data.train_list}, {@code test_list}, {@code validation_list}). */
    public static DatasetSplits lists(ImageFilesConfig cfg, int imageSize) {
        return new ImageIndex(cfg, imageSize).readLists();
    }

    private DatasetSplits readFolder(Path root) {
        Path train = root.resolve("train");
        if (!Files.isDirectory(train)) {
            throw new UserError(train + ": no train/ folder (expected train/<class>/ and val/<class>/)");
        }
        Path ann = root.resolve("val").resolve("val_annotations.txt");
        boolean tiny = Files.exists(ann);
        List<String> classes = tiny && Files.exists(root.resolve("wnids.txt")) ? lines(root.resolve("wnids.txt"))
                : subfolders(train);
        if (classes.isEmpty()) {
            throw new UserError(train + ": no class folders (expected train/<class>/ with " + ImageDecoder.KINDS
                    + " images)");
        }
        Map<String, Integer> index = index(classes, root.resolve("wnids.txt"));
        Split tr = new Split(root);
        for (String c : classes) {
            classFolder(root, tiny ? train.resolve(c).resolve("images") : train.resolve(c), index.get(c), tr);
        }
        Split te = new Split(root);
        Split va = null;
        if (tiny) {
            for (String line : lines(ann)) {
                String[] parts = line.split("\t");
                Integer label = parts.length > 1 ? index.get(parts[1]) : null;
                if (label == null) {
                    problems.add(ann + ": line '" + line + "' names no class of train/");
                    continue;
                }
                listed(root, root.resolve("val").resolve("images"), parts[0], label, te, ann);
            }
        } else {
            Path val = root.resolve("val");
            Path test = root.resolve("test");
            if (!Files.isDirectory(val) && !Files.isDirectory(test)) {
                throw new UserError(root + ": no val/ or test/ folder (expected val/<class>/ beside train/<class>/)");
            }
            boolean both = Files.isDirectory(val) && Files.isDirectory(test);
            labelledFolder(root, both ? test : Files.isDirectory(val) ? val : test, index, te);
            if (both) {
                va = new Split(root);
                labelledFolder(root, val, index, va);
            }
        }
        List<String> names = tiny ? words(root.resolve("words.txt"), classes) : classes;
        return splits(tr, te, va, names, "image-folder");
    }

    private void classFolder(Path root, Path dir, int label, Split s) {
        if (!Files.isDirectory(dir)) {
            problems.add(dir + ": no such class folder");
            return;
        }
        int before = s.paths().size();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            TreeMap<String, Long> sorted = new TreeMap<>();
            for (Path f : files) {
                String n = f.getFileName().toString();
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                if (n.startsWith(".") || a.isDirectory()) {
                    continue;
                }
                if (!isImageName(n)) {
                    problems.add(f + ": not an image file (" + ImageDecoder.KINDS + ")");
                    continue;
                }
                sorted.put(n, a.size());
            }
            for (var e : sorted.entrySet()) {
                s.add(root.relativize(dir.resolve(e.getKey())).toString(), label, e.getValue());
            }
        } catch (IOException e) {
            problems.add(dir + ": cannot list: " + e.getMessage());
        }
        if (s.paths().size() == before) {
            problems.add(dir + ": class folder has no images (" + ImageDecoder.KINDS + ")");
        }
    }

    private void labelledFolder(Path root, Path dir, Map<String, Integer> index, Split s) {
        List<String> dirClasses = subfolders(dir);
        if (dirClasses.isEmpty()) {
            problems.add(dir + ": no class folders (expected " + dir.getFileName() + "/<class>/ named as in train/)");
        }
        for (String c : dirClasses) {
            Integer label = index.get(c);
            if (label == null) {
                problems.add(dir.resolve(c) + ": class '" + c + "' is not among the train classes");
            } else {
                classFolder(root, dir.resolve(c), label, s);
            }
        }
    }

    /** One file named by a list: missing files and non-images are problems. */
    private void listed(Path root, Path dir, String name, int label, Split s, Path list) {
        Path f;
        try {
            f = dir.resolve(name).normalize();
        } catch (InvalidPathException e) {
            problems.add(list + ": '" + name + "' is not a valid path");
            return;
        }
        if (!isImageName(f.getFileName().toString())) {
            problems.add(f + ": not an image file (" + ImageDecoder.KINDS + "), listed in " + list);
            return;
        }
        try {
            long size = Files.readAttributes(f, BasicFileAttributes.class).size();
            s.add(root.relativize(f).toString(), label, size);
        } catch (NoSuchFileException e) {
            problems.add(f + ": missing (listed in " + list + ")");
        } catch (IOException e) {
            problems.add(f + ": cannot read (" + e.getMessage() + "), listed in " + list);
        }
    }

    private DatasetSplits readLists() {
        if (cfg.trainList() == null || cfg.testList() == null) {
            throw new UserError("data.train_list and data.test_list: image-list needs both (CSV files with a "
                    + "path,label header, paths relative to the list)");
        }
        Path trainList = existing("train_list", cfg.trainList());
        Path testList = existing("test_list", cfg.testList());
        Path validationList = cfg.validationList() == null ? null : existing("validation_list", cfg.validationList());
        List<String[]> trainRows = csv(trainList);
        List<String> classes = cfg.classes() != null ? lines(existing("classes", cfg.classes())) : classesOf(trainRows);
        if (classes.isEmpty()) {
            throw new UserError((cfg.classes() != null ? cfg.classes() : trainList) + ": no classes");
        }
        Map<String, Integer> index = index(classes, Path.of(cfg.classes() == null ? cfg.trainList() : cfg.classes()));
        Path root = Path.of("/");
        Split tr = listSplit(root, trainList, trainRows, index, classes.size());
        Split te = listSplit(root, testList, csv(testList), index, classes.size());
        Split va = validationList == null ? null
                : listSplit(root, validationList, csv(validationList), index, classes.size());
        return splits(tr, te, va, classes, "image-list");
    }

    private Split listSplit(Path root, Path list, List<String[]> rows, Map<String, Integer> index, int classes) {
        Split s = new Split(root);
        Path dir = list.toAbsolutePath().getParent();
        for (String[] r : rows) {
            Integer label = index.get(r[1]);
            if (label == null && r[1].matches("\\d{1,9}") && Integer.parseInt(r[1]) < classes) {
                label = Integer.parseInt(r[1]);
            }
            if (label == null) {
                problems.add(list + ": label '" + r[1] + "' of " + r[0] + " is not among the " + classes
                        + " classes");
                continue;
            }
            listed(root, dir, r[0], label, s, list);
        }
        if (rows.isEmpty()) {
            problems.add(list + ": lists no images (expected lines path,label after the header)");
        }
        return s;
    }

    /** Class names from a list's labels: indices 0..max when every label is a number, else the sorted names. */
    private static List<String> classesOf(List<String[]> rows) {
        if (!rows.isEmpty() && rows.stream().allMatch(r -> r[1].matches("\\d{1,6}"))) {
            int max = rows.stream().mapToInt(r -> Integer.parseInt(r[1])).max().orElse(0);
            List<String> out = new ArrayList<>();
            for (int i = 0; i <= max; i++) {
                out.add(Integer.toString(i));
            }
            return out;
        }
        return rows.stream().map(r -> r[1]).distinct().sorted().toList();
    }

    private static List<String[]> csv(Path list) {
        List<String> lines;
        try {
            lines = Files.readAllLines(list);
        } catch (IOException e) {
            throw new UserError(list + ": cannot read: " + e.getMessage());
        }
        if (lines.isEmpty() || !lines.get(0).replace(" ", "").equalsIgnoreCase("path,label")) {
            throw new UserError(list + ": the first line must be the header path,label (found '"
                    + (lines.isEmpty() ? "" : lines.get(0)) + "')");
        }
        List<String[]> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            int comma = line.lastIndexOf(',');
            if (comma <= 0 || comma == line.length() - 1) {
                throw new UserError(list + ": line " + (i + 1) + " '" + line + "' is not path,label");
            }
            rows.add(new String[] {line.substring(0, comma).strip(), line.substring(comma + 1).strip()});
        }
        return rows;
    }

    private DatasetSplits splits(Split tr, Split te, Split va, List<String> names, String kind) {
        if (!problems.isEmpty()) {
            throw new UserError(problems.size() + " problem(s) in the image files of data.root or the lists: "
                    + String.join("; ", problems.subList(0, Math.min(NAMED, problems.size())))
                    + (problems.size() > NAMED ? "; and " + (problems.size() - NAMED) + " more" : "")
                    + " (fix or remove them)");
        }
        int h = imageSize;
        int w = imageSize;
        if (imageSize == 0) { // the first training image's size
            ImageDecoder.Rgb first = ImageDecoder.decode(tr.base().resolve(tr.paths().get(0)));
            h = first.height();
            w = first.width();
        }
        return new DatasetSplits(dataset(tr, names, kind + "/train", h, w), dataset(te, names, kind + "/test", h, w),
                va == null ? null : dataset(va, names, kind + "/validation", h, w));
    }

    private ImageDataset dataset(Split s, List<String> names, String name, int h, int w) {
        ImageRecipe recipe = new ImageRecipe(cfg.crop(), cfg.cropScale()[0], cfg.cropScale()[1], cfg.cropRatio()[0],
                cfg.cropRatio()[1], cfg.evalResize(), cfg.colorJitter());
        String fingerprint = s.paths().size() + " images, " + HexFormat.of().formatHex(s.digest().digest(), 0, 8);
        StreamedImages files = new StreamedImages(s.base(), s.paths().toArray(new String[0]), recipe,
                cfg.onBadImage().equals("skip"), skipped, fingerprint);
        return ImageDataset.streamed(name, files, s.labels().stream().mapToInt(Integer::intValue).toArray(), h, w,
                names);
    }

    private static Map<String, Integer> index(List<String> classes, Path where) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            if (index.put(classes.get(i), i) != null) {
                throw new UserError(where + ": class '" + classes.get(i) + "' is listed twice");
            }
        }
        return index;
    }

    private static Path existing(String key, String file) {
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) {
            throw new UserError("data." + key + ": " + file + " is not a file");
        }
        return p;
    }

    static boolean isImageName(String n) {
        return n.toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|bmp)");
    }

    /** A folder's subfolders by name, sorted; hidden ones (.ipynb_checkpoints) are no class. */
    static List<String> subfolders(Path dir) {
        try (var s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UserError(dir + ": cannot list: " + e.getMessage());
        }
    }

    /** A text file's non-blank lines, stripped. */
    static List<String> lines(Path f) {
        try {
            return Files.readAllLines(f).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new UserError(f + ": cannot read: " + e.getMessage());
        }
    }

    /** Tiny ImageNet: the first name of each wnid from words.txt, else the wnid. */
    static List<String> words(Path f, List<String> wnids) {
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

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
