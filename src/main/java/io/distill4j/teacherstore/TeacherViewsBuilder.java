package io.distill4j.teacherstore;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.UserError;
import io.distill4j.data.Augmenter;
import io.distill4j.data.ImageDataset;
import io.distill4j.data.Normalization;
import io.distill4j.knowledge.Teacher;
import io.distill4j.knowledge.TeacherViews;
import io.distill4j.run.Run;
import io.distill4j.util.HostArrays;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Opens a run's {@code train.teacher_views} store ({@link TeacherViews}), building it first when the file does not
 * exist, and gives the run each training image's row. A build enumerates every view of the run's augmentation
 * (pad-crop offsets and flips, {@link Augmenter#render}, the floats training draws) of every image of the training
 * and validation splits (so that every hold-out a seed draws from them finds its images), and stores every teacher's
 * logits of each, in inference mode, one image's views a batch.
 */
public final class TeacherViewsBuilder {
    private TeacherViewsBuilder() {}

    /** What the stored logits depend on: the teachers, the normalisation, the image shape and the view set. */
    static String fingerprint(Run run) {
        ImageDataset train = run.train();
        Normalization n = run.normalization();
        return TeacherOutputsBuilder.teachers(run.config(), train, n)
                + "normalization " + Arrays.toString(n.mean()) + " " + Arrays.toString(n.std()) + "\n"
                + "image_shape " + train.channels() + "x" + train.height() + "x" + train.width() + "\n"
                + "views pad-crop " + run.trainLoader().augmenter().pad() + ", flip\n";
    }

    /** Opens (or builds) the run's store and attaches it with the row of each of its training images. */
    public static void attach(Run run) {
        Path file = Path.of(run.config().train().teacherViews());
        ImageDataset train = run.train();
        Augmenter aug = run.trainLoader().augmenter();
        String where = run.config().root().source() + ": train.teacher_views: " + file;
        if (train.streamed()) {
            throw new UserError(where + ": the images are streamed from files (random-resized crops: views no "
                    + "store enumerates); use train.teacher_outputs (per step), or load the images in memory");
        }
        if (!aug.enumerable() || !aug.random()) {
            throw new UserError(where + ": the run's augmentation draws views outside pad-crop and flip");
        }
        int views = aug.viewCount();
        int classes = train.numClasses();
        int teachers = run.teachers().size();
        TeacherViews store = Files.exists(file)
                ? TeacherViews.open(file, fingerprint(run), views, teachers, classes)
                : build(run, file, views, teachers, classes);
        int[] rows = new int[train.size()];
        int missing = 0;
        int first = -1;
        for (int i = 0; i < rows.length; i++) {
            rows[i] = store.row(TeacherViews.key(train.pixels(), i * train.sampleBytes(), train.sampleBytes()));
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
    }

    private static TeacherViews build(Run run, Path file, int views, int teachers, int classes) {
        List<ImageDataset> splits = new ArrayList<>(List.of(run.train()));
        if (run.validation() != null) {
            splits.add(run.validation());
        }
        // each distinct picture once: its key, its split and index
        Set<Long> seen = new LinkedHashSet<>();
        List<int[]> images = new ArrayList<>();
        for (int s = 0; s < splits.size(); s++) {
            ImageDataset ds = splits.get(s);
            for (int i = 0; i < ds.size(); i++) {
                if (seen.add(TeacherViews.key(ds.pixels(), i * ds.sampleBytes(), ds.sampleBytes()))) {
                    images.add(new int[] {s, i});
                }
            }
        }
        long[] keys = seen.stream().mapToLong(Long::longValue).toArray();
        System.err.printf(Locale.ROOT, "distill4j: writing the teachers' logits over %d views of %d images to %s "
                + "(once; every run of these teachers, images and views reads it)%n", views, keys.length, file);
        Augmenter aug = run.trainLoader().augmenter();
        int pad = aug.pad();
        List<Teacher> nets = run.teachers();
        long t0 = System.nanoTime();
        TeacherViews store = TeacherViews.build(file, fingerprint(run), keys, views, teachers, classes, image -> {
            ImageDataset ds = splits.get(images.get(image)[0]);
            int i = images.get(image)[1];
            int c = ds.channels();
            int h = ds.height();
            int w = ds.width();
            int size = ds.sampleBytes();
            float[] x = new float[views * size];
            for (int dy = -pad; dy <= pad; dy++) {
                for (int dx = -pad; dx <= pad; dx++) {
                    for (int flip = 0; flip < 2; flip++) {
                        int code = aug.viewCode(dx, dy, flip == 1);
                        aug.render(ds.pixels(), i * size, c, h, w, dx, dy, flip == 1, x, code * size);
                    }
                }
            }
            float[][] out = new float[nets.size()][];
            try (NDManager m = run.manager().newSubManager()) {
                NDArray batch = HostArrays.floats(m, x, new Shape(views, c, h, w));
                for (int t = 0; t < nets.size(); t++) {
                    out[t] = nets.get(t).logits(batch).toFloatArray();
                }
            }
            return out;
        });
        System.err.printf(Locale.ROOT, "distill4j: %s written in %.1f s%n", file, (System.nanoTime() - t0) / 1e9);
        return store;
    }
}
