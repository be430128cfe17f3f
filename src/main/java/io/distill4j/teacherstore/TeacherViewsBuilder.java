package io.distill4j.teacherstore;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.UserError;
import io.distill4j.data.Augmenter;
import io.distill4j.data.ImageDataset;
import io.distill4j.data.ImageDecoder;
import io.distill4j.data.ImageRecipe;
import io.distill4j.data.Normalization;
import io.distill4j.data.SampledViews;
import io.distill4j.data.StreamedImages;
import io.distill4j.knowledge.Teacher;
import io.distill4j.knowledge.TeacherViews;
import io.distill4j.run.Run;
import io.distill4j.util.HostArrays;
import io.distill4j.util.Seeds;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Opens a run's {@code train.teacher_views} store ({@link TeacherViews}), building it first when the file does not
 * exist, and gives the run each training image's row. A build covers every image of the training and validation
 * splits (so that every hold-out a seed draws from them finds its images), one image's views a batch, every teacher
 * in inference mode:
 * <ul>
 *   <li>images in memory: every view of the run's augmentation, enumerated (pad-crop offsets and flips,
 *   {@link Augmenter#render}: the floats training draws); images keyed by the SHA-256 of their pixels;</li>
 *   <li>streamed images with random-resized crops ({@code train.teacher_views_k} K): K regions and flips an image,
 *   drawn as training draws them from a generator seeded by the image's path, stored with the logits; the run's
 *   loader then draws one of the K ({@link SampledViews}); images keyed by their path.</li>
 * </ul>
 */
public final class TeacherViewsBuilder {
    private static final int GEOMETRY = 5; // x, y, width, height, flip

    private TeacherViewsBuilder() {}

    /** What the stored logits depend on: the teachers, the normalisation, the image shape and the view set. */
    static String fingerprint(Run run) {
        ImageDataset train = run.train();
        Normalization n = run.normalization();
        String views = train.streamed() ? "views sampled " + run.config().train().teacherViewsK() + ", "
                + train.files().recipe() + ", flip" : "views pad-crop " + run.trainLoader().augmenter().pad()
                + ", flip";
        return TeacherOutputsBuilder.teachers(run.config(), train, n)
                + "normalization " + Arrays.toString(n.mean()) + " " + Arrays.toString(n.std()) + "\n"
                + "image_shape " + train.channels() + "x" + train.height() + "x" + train.width() + "\n"
                + views + "\n";
    }

    /** Opens (or builds) the run's store and attaches it with the row of each of its training images. */
    public static void attach(Run run) {
        Path file = Path.of(run.config().train().teacherViews());
        ImageDataset train = run.train();
        Augmenter aug = run.trainLoader().augmenter();
        String where = run.config().root().source() + ": train.teacher_views: " + file;
        boolean sampled = train.streamed();
        int k = run.config().train().teacherViewsK();
        if (sampled) {
            ImageRecipe recipe = train.files().recipe();
            if (k == 0 || !recipe.crop().equals(ImageRecipe.RANDOM_RESIZED) || recipe.jitter() > 0) {
                throw new UserError(where + ": streamed images need sampled views: data.crop: random-resized, "
                        + "data.color_jitter: 0 and train.teacher_views_k: K (the crops stored an image; "
                        + (k == 0 ? "it is 0)" : "it is " + k + ")"));
            }
        } else if (k > 0) {
            throw new UserError(where + ": train.teacher_views_k " + k + " applies to streamed images with "
                    + "random-resized crops; the run's images are in memory, and their pad-crop and flip views are "
                    + "enumerated (set it to 0)");
        }
        if (!aug.enumerable() || !aug.random() || sampled && aug.pad() > 0) {
            throw new UserError(where + ": the run's augmentation draws views outside the store's");
        }
        int views = sampled ? k : aug.viewCount();
        int classes = train.numClasses();
        int teachers = run.teachers().size();
        int geometry = sampled ? GEOMETRY * k : 0;
        String fingerprint = fingerprint(run); // digests the teachers' files: once
        TeacherViews store = Files.exists(file)
                ? TeacherViews.open(file, fingerprint, views, teachers, classes, geometry)
                : build(run, file, fingerprint, views, teachers, classes, sampled);
        int[] rows = new int[train.size()];
        int missing = 0;
        int first = -1;
        for (int i = 0; i < rows.length; i++) {
            rows[i] = store.row(key(train, i));
            if (rows[i] < 0 && missing++ == 0) {
                first = i;
            }
        }
        if (missing > 0) {
            store.close();
            throw new UserError(String.format(Locale.ROOT, "%s: %d of the run's %d training images are not in the "
                    + "store (the first: image %d of the training split; it holds %d images, built over another data "
                    + "set or subset): delete it to rebuild, or set train.teacher_views to another file", where,
                    missing, rows.length, first, store.images()));
        }
        run.attach(store, rows);
        if (sampled) {
            run.trainLoader().withSampledViews(new SampledViews() {
                @Override
                public int count() { return k; }

                @Override
                public double[] region(int sample, int view) {
                    int at = GEOMETRY * view;
                    return new double[] {store.geometry(rows[sample], at), store.geometry(rows[sample], at + 1),
                            store.geometry(rows[sample], at + 2), store.geometry(rows[sample], at + 3)};
                }

                @Override
                public boolean flip(int sample, int view) {
                    return store.geometry(rows[sample], GEOMETRY * view + 4) != 0;
                }
            });
        }
    }

    /** An image's key: the SHA-256 of its pixels, or of its path where it is streamed. */
    private static long key(ImageDataset ds, int i) {
        return ds.streamed() ? TeacherViews.key(ds.files().paths()[i])
                : TeacherViews.key(ds.pixels(), i * ds.sampleBytes(), ds.sampleBytes());
    }

    private static TeacherViews build(Run run, Path file, String fingerprint, int views, int teachers, int classes,
                                      boolean sampled) {
        List<ImageDataset> splits = new ArrayList<>(List.of(run.train()));
        if (run.validation() != null) {
            splits.add(run.validation());
        }
        Set<Long> seen = new LinkedHashSet<>(); // each distinct picture once: its key, its split and index
        List<int[]> images = new ArrayList<>();
        for (int s = 0; s < splits.size(); s++) {
            for (int i = 0; i < splits.get(s).size(); i++) {
                if (seen.add(key(splits.get(s), i))) {
                    images.add(new int[] {s, i});
                }
            }
        }
        long[] keys = seen.stream().mapToLong(Long::longValue).toArray();
        System.err.printf(Locale.ROOT, "distill4j: writing the teachers' logits over %d %s views of %d images to %s "
                + "(once; every run of these teachers, images and views reads it)%n", views,
                sampled ? "sampled" : "enumerated", keys.length, file);
        Augmenter aug = run.trainLoader().augmenter();
        List<Teacher> nets = run.teachers();
        ImageDataset train = run.train();
        int c = train.channels();
        int h = train.height();
        int w = train.width();
        int size = c * h * w;
        long t0 = System.nanoTime();
        TeacherViews store = TeacherViews.build(file, fingerprint, keys, views, teachers, classes,
                sampled ? GEOMETRY * views : 0, image -> {
                    ImageDataset ds = splits.get(images.get(image)[0]);
                    int i = images.get(image)[1];
                    float[] x = new float[views * size];
                    float[] geometry = sampled ? sample(ds, i, keys[image], views, aug, h, w, x) : new float[0];
                    if (!sampled) {
                        enumerate(ds, i, aug, x);
                    }
                    float[][] out = new float[nets.size()][];
                    try (NDManager m = run.manager().newSubManager()) {
                        NDArray batch = HostArrays.floats(m, x, new Shape(views, c, h, w));
                        for (int t = 0; t < nets.size(); t++) {
                            out[t] = nets.get(t).logits(batch).toFloatArray();
                        }
                    }
                    return new TeacherViews.Entry(geometry, out);
                });
        System.err.printf(Locale.ROOT, "distill4j: %s written in %.1f s%n", file, (System.nanoTime() - t0) / 1e9);
        return store;
    }

    /** Every pad-crop and flip view of in-memory image {@code i}, by code, into {@code x}. */
    private static void enumerate(ImageDataset ds, int i, Augmenter aug, float[] x) {
        int pad = aug.pad();
        int size = ds.sampleBytes();
        for (int dy = -pad; dy <= pad; dy++) {
            for (int dx = -pad; dx <= pad; dx++) {
                for (int flip = 0; flip < 2; flip++) {
                    aug.render(ds.pixels(), i * size, ds.channels(), ds.height(), ds.width(), dx, dy, flip == 1, x,
                            aug.viewCode(dx, dy, flip == 1) * size);
                }
            }
        }
    }

    /**
     * K random-resized crops and flips of streamed image {@code i}, drawn as training draws them from a generator
     * seeded by the image's key, rendered into {@code x}; returns their geometry. An unreadable image stops the build.
     */
    private static float[] sample(ImageDataset ds, int i, long key, int k, Augmenter aug, int h, int w, float[] x) {
        StreamedImages files = ds.files();
        ImageDecoder.Rgb img = files.decode(i, true);
        if (img == null) {
            throw new UserError(files.file(i) + ": unreadable; a store of sampled views needs every image");
        }
        ImageRecipe recipe = files.recipe();
        SplittableRandom rng = Seeds.rng(key, "teacher-views");
        float[] geometry = new float[GEOMETRY * k];
        int size = 3 * h * w;
        for (int v = 0; v < k; v++) {
            double[] region = recipe.trainRegion(img.width(), img.height(), rng);
            boolean flip = rng.nextBoolean();
            byte[] px = recipe.input(img, region, h, w, null);
            aug.render(px, 0, 3, h, w, 0, 0, flip, x, v * size);
            for (int j = 0; j < 4; j++) {
                geometry[GEOMETRY * v + j] = (float) region[j];
            }
            geometry[GEOMETRY * v + 4] = flip ? 1 : 0;
        }
        return geometry;
    }
}
