package io.distill4j.config;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@code data:} keys of datasets made of image files ({@code image-folder}, {@code image-list}): whether they
 * are streamed, by how many decoding threads, and how a file becomes input (the ImageNet recipe or the small
 * datasets' pad-and-crop).
 *
 * @param stream        {@code auto} (default: image files are streamed, the built-in datasets held in memory),
 *                      {@code true}, or {@code false} (decode an image folder into memory first)
 * @param workers       threads decoding and augmenting batches ahead of the step (0, the default: the machine's
 *                      cores, at most 8; the config keeps 0, so that a run resumes on another machine)
 * @param prefetch      batches prepared ahead per worker (memory: workers x prefetch x batch)
 * @param crop          {@code pad} (resize whole, then {@code pad_crop}) or {@code random-resized} (RandomResizedCrop
 *                      in training, resize and centre crop in evaluation)
 * @param cropScale     the area fraction range of random-resized crops
 * @param cropRatio     the aspect ratio range of random-resized crops
 * @param evalResize    evaluation: the shorter side before the centre crop (0: image_size / 0.875, e.g. 256 for 224)
 * @param colorJitter   brightness, contrast and saturation jitter strength (0 = none)
 * @param onBadImage    {@code stop} (exit 2 naming the file) or {@code skip} (counted in summary.json)
 * @param trainList     image-list: the training CSV ({@code path,label}, paths relative to the list)
 * @param testList      image-list: the test CSV
 * @param validationList image-list: the validation CSV (optional; {@code validation: split} uses it)
 * @param classes       image-list: a file of class names, one a line (optional: else from the labels)
 */
public record ImageFilesConfig(String stream, int workers, int prefetch, String crop, double[] cropScale,
                               double[] cropRatio, int evalResize, double colorJitter, String onBadImage,
                               String trainList, String testList, String validationList, String classes) {

    /** The keys of {@code data:} for datasets of image files (listed with the data section's). */
    public static final Section SECTION = Section.of("data", "datasets of image files",
            Key.text("stream", "auto", "auto (image files streamed, built-in datasets in memory), true, or false "
                    + "(decode an image folder into memory first)"),
            Key.integer("workers", "0", 0, 256, "threads decoding batches ahead of the step (0: the machine's cores, "
                    + "at most 8)"),
            Key.integer("prefetch", "2", 1, 64, "batches prepared ahead per worker"),
            Key.choice("crop", "pad", List.of("pad", "random-resized"), "pad (resize whole, then pad_crop) or "
                    + "random-resized (RandomResizedCrop in training, resize and centre crop in evaluation)"),
            Key.numbers("crop_scale", "[0.08, 1.0]", "the area fraction range [low, high] of random-resized crops"),
            Key.numbers("crop_ratio", "[0.75, 1.3333]", "the aspect ratio range [low, high] of random-resized crops"),
            Key.integer("eval_resize", "0", 0, 8192, "evaluation: the shorter side before the centre crop (0: "
                    + "image_size / 0.875)"),
            Key.number("color_jitter", "0", 0, 1, "brightness, contrast and saturation jitter strength (0: none)"),
            Key.choice("on_bad_image", "stop", List.of("stop", "skip"), "an unreadable image: stop naming the file, "
                    + "or skip it (counted in summary.json)"),
            Key.text("train_list", "none", "image-list: the training CSV (path,label; paths relative to the list)"),
            Key.text("test_list", "none", "image-list: the test CSV"),
            Key.text("validation_list", "none", "image-list: the validation CSV (validation: split uses it)"),
            Key.text("classes", "none", "image-list: a file of class names, one a line (none: from the labels)"));

    static ImageFilesConfig from(ConfigNode n) {
        Section k = SECTION;
        String stream = n.has("stream") ? String.valueOf(n.raw("stream")) : "auto";
        if (!List.of("auto", "true", "false").contains(stream)) {
            throw n.error("stream", "'" + stream + "' is not auto, true or false");
        }
        k.key("stream").readText(n);
        int workers = (int) k.key("workers").readInteger(n); // 0: the machine's cores, resolved at run time
        int prefetch = (int) k.key("prefetch").readInteger(n);
        String crop = k.key("crop").readChoice(n);
        double[] scale = range(n, "crop_scale", 0.08, 1.0, 1e-4, 1.0);
        double[] ratio = range(n, "crop_ratio", 3.0 / 4, 4.0 / 3, 1e-3, 1e3);
        int evalResize = (int) k.key("eval_resize").readInteger(n);
        double jitter = k.key("color_jitter").readNumber(n);
        String onBad = k.key("on_bad_image").readChoice(n);
        return new ImageFilesConfig(stream, workers, prefetch, crop, scale, ratio, evalResize, jitter, onBad,
                k.key("train_list").readText(n), k.key("test_list").readText(n), k.key("validation_list").readText(n),
                k.key("classes").readText(n));
    }

    private static double[] range(ConfigNode n, String key, double lo, double hi, double min, double max) {
        List<Double> v = SECTION.key(key).readNumbers(n, List.of(lo, hi));
        if (v.size() != 2 || v.get(0) > v.get(1) || v.get(0) < min || v.get(1) > max) {
            throw n.error(key, v + " is not a range [low, high] within [" + min + ", " + max + "]");
        }
        return new double[] {v.get(0), v.get(1)};
    }

    /** The decoding threads: {@code workers}, or for 0 the machine's cores (at most 8). */
    public int threads() {
        return workers > 0 ? workers : Math.min(8, Runtime.getRuntime().availableProcessors());
    }

    /** Whether a dataset of image files is streamed ({@code stream: auto} streams them). */
    public boolean streams(String dataset) {
        return dataset.equals("image-list") || (dataset.equals("image-folder") && !stream.equals("false"));
    }

    /** Records compare arrays by identity: these two ranges compare by value. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ImageFilesConfig c && stream.equals(c.stream) && workers == c.workers
                && prefetch == c.prefetch && crop.equals(c.crop) && Arrays.equals(cropScale, c.cropScale)
                && Arrays.equals(cropRatio, c.cropRatio) && evalResize == c.evalResize
                && colorJitter == c.colorJitter && onBadImage.equals(c.onBadImage)
                && Objects.equals(trainList, c.trainList) && Objects.equals(testList, c.testList)
                && Objects.equals(validationList, c.validationList) && Objects.equals(classes, c.classes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stream, workers, prefetch, crop, Arrays.hashCode(cropScale), Arrays.hashCode(cropRatio),
                evalResize, colorJitter, onBadImage, trainList, testList, validationList, classes);
    }
}
