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

    static ImageFilesConfig from(ConfigNode n) {
        String stream = n.has("stream") ? String.valueOf(n.raw("stream")) : "auto";
        if (!List.of("auto", "true", "false").contains(stream)) {
            throw n.error("stream", "'" + stream + "' is not auto, true or false");
        }
        n.string("stream", "auto");
        int workers = (int) n.integer("workers", 0, 0, 256); // 0: the machine's cores, resolved at run time
        int prefetch = (int) n.integer("prefetch", 2, 1, 64);
        String crop = n.choice("crop", "pad", List.of("pad", "random-resized"));
        double[] scale = range(n, "crop_scale", 0.08, 1.0, 1e-4, 1.0);
        double[] ratio = range(n, "crop_ratio", 3.0 / 4, 4.0 / 3, 1e-3, 1e3);
        int evalResize = (int) n.integer("eval_resize", 0, 0, 8192);
        double jitter = n.number("color_jitter", 0, 0, 1);
        String onBad = n.choice("on_bad_image", "stop", List.of("stop", "skip"));
        return new ImageFilesConfig(stream, workers, prefetch, crop, scale, ratio, evalResize, jitter, onBad,
                n.string("train_list", null), n.string("test_list", null), n.string("validation_list", null),
                n.string("classes", null));
    }

    private static double[] range(ConfigNode n, String key, double lo, double hi, double min, double max) {
        List<Double> v = n.numbers(key, List.of(lo, hi));
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
