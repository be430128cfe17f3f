package io.distill4j.teacherstore;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.FloatBounds;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.data.Augmenter;
import io.distill4j.data.HostBatch;
import io.distill4j.data.ImageDataset;
import io.distill4j.data.Normalization;
import io.distill4j.knowledge.Teacher;
import io.distill4j.knowledge.TeacherViews;
import io.distill4j.knowledge.Teachers;
import io.distill4j.methods.Batch;
import io.distill4j.run.Run;
import io.distill4j.util.HostArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The store of the teacher's outputs over views ({@code train.teacher_views}): the views it enumerates are the
 * floats training draws, bit for bit; every stored logit of every view of some images equals the teacher's own
 * logit of that view within the float16 rounding plus the forward-error bound of two batch compositions; a run's
 * batch reads the views it drew; and what the store cannot serve is refused in one line.
 */
class TeacherViewsTest {
    static final Path TEACHER = Path.of("models/fashion-mnist-teacher/teacher.pt").toAbsolutePath();

    @TempDir
    Path dir;

    static String config(Path store, int subset, int validation, int seed, String more) {
        return """
                seed: %d
                data: {name: fashion-mnist-mini, train_subset: %d, subset_seed: 0, validation: %d, validation_seed: %d}
                networks: {student: {arch: resnet8}}
                teachers: {teacher: {model: '%s'}}
                train: {epochs: 1, batch_size: 4, threads: 1, teacher_views: '%s'}
                method: {name: kd}
                %s
                """.formatted(seed, subset, validation, seed, TEACHER, store, more);
    }

    static Run run(String yaml) {
        return Run.build(ConfigLoader.loadText(yaml, "test.yaml", List.of()));
    }

    @Test
    void aDrawnViewIsTheEnumeratedViewOfItsCodeBitForBit() {
        for (int c : new int[] {1, 3}) {
            Normalization norm = c == 1 ? new Normalization(new float[] {0.3f}, new float[] {0.2f})
                    : new Normalization(new float[] {0.3f, 0.4f, 0.5f}, new float[] {0.2f, 0.25f, 0.3f});
            Augmenter aug = Augmenter.builder(norm).padCrop(2).horizontalFlip(0.5).build();
            byte[] px = new byte[c * 6 * 5];
            new SplittableRandom(1).nextBytes(px);
            float[] drawn = new float[px.length];
            float[] rendered = new float[px.length];
            boolean[] seen = new boolean[aug.viewCount()];
            for (int k = 0; k < 2000; k++) {
                int code = aug.apply(px, 0, c, 6, 5, drawn, 0, new SplittableRandom(k));
                int flip = code % 2;
                int dx = code / 2 % 5 - 2;
                int dy = code / 2 / 5 - 2;
                aug.render(px, 0, c, 6, 5, dx, dy, flip == 1, rendered, 0);
                assertThat(rendered).as("code %d", code).isEqualTo(drawn);
                seen[code] = true;
            }
            assertThat(seen).as("every one of the 50 views drawn").doesNotContain(false);
        }
    }

    /**
     * The shipped teacher: conv3x3 1 -> 32 (9 terms), 32 -> 32 (288), max-pool, 32 -> 64 (288), 64 -> 64 (576),
     * max-pool, 64 -> 128 (576), 128 -> 128 (1152), max-pool to 3x3, the average of 9, linear 128: its forward-error
     * bound relative to a sample's largest logit ({@link FloatBounds#network(int, int...)}).
     */
    static double teacherBound() {
        return FloatBounds.network(10, 9, 288, 288, 576, 576, 1152) + FloatBounds.network(0, 9, 128);
    }

    /** |stored - online|: the half's rounding (2^-11 relative, normal range) plus two batch compositions' bound. */
    static void assertStored(float[] stored, float[] online, int classes, String what) {
        double[] forward = FloatBounds.perSample(stored, online, classes, teacherBound());
        for (int j = 0; j < online.length; j++) {
            double bound = 0x1p-11 * Math.abs(online[j]) + forward[j];
            assertThat((double) stored[j]).as("%s logit %d (bound %.3g)", what, j, bound)
                    .isCloseTo(online[j], within(bound));
        }
    }

    @Test
    void everyViewOfEveryImageIsTheTeachersLogitsWithinHalfRoundingAndTheForwardBound() {
        Path file = dir.resolve("views.bin");
        try (Run run = run(config(file, 6, 0, 0, ""))) {
            TeacherViewsBuilder.attach(run);
            TeacherViews store = run.teacherViews();
            assertThat(store.images()).isEqualTo(6);
            assertThat(store.views()).isEqualTo(50);
            ImageDataset train = run.train();
            Augmenter aug = run.trainLoader().augmenter();
            Teacher teacher = run.teachers().get(0);
            int size = train.sampleBytes();
            try (NDManager m = run.manager().newSubManager()) {
                for (int i = 0; i < train.size(); i++) {
                    for (int code = 0; code < 50; code++) {
                        float[] x = new float[size];
                        aug.render(train.pixels(), i * size, 1, 28, 28, code / 2 % 5 - 2, code / 2 / 5 - 2,
                                code % 2 == 1, x, 0);
                        float[] online = teacher.logits(HostArrays.floats(m, x, new Shape(1, 1, 28, 28)))
                                .toFloatArray(); // alone: another batch composition than the build's
                        float[] stored = store.logits(m, run.teacherViewRows(new int[] {i}), new int[] {code}, 0)
                                .toFloatArray();
                        assertStored(stored, online, 10, "image " + i + " view " + code);
                    }
                }
            }
        }
    }

    @Test
    void aBatchReadsTheViewsItDrewAndAnyOtherInputRunsTheTeacher() {
        Path file = dir.resolve("views.bin");
        try (Run build = run(config(file, 24, 0, 0, ""))) {
            TeacherViewsBuilder.attach(build);
            assertThat(build.teacherViews().images()).isEqualTo(24);
        }
        // another seed and a subset of those images at other indices (the first 12 of the same permutation)
        try (Run run = run(config(file, 12, 0, 3, ""))) {
            TeacherViewsBuilder.attach(run);
            assertThat(run.teacherViewRows(new int[] {0, 11})).doesNotContain(-1);
            HostBatch hb = run.trainLoader().batch(0, 1);
            assertThat(hb.viewCodes()).hasSize(hb.size());
            try (NDManager m = run.manager().newSubManager()) {
                Batch b = new Batch(hb, m);
                Teachers.StoredViews sv = new Teachers.StoredViews(run.teacherViews(), b.images(),
                        run.teacherViewRows(b.indices()), hb.viewCodes());
                Teachers t = new Teachers(run.teachers(), null, 0, sv);
                NDArray online = run.teachers().get(0).logits(b.images());
                assertStored(t.logits(0, b.images()).toFloatArray(), online.toFloatArray(), 10, "batch");
                NDArray other = b.images().duplicate();
                assertThat(t.logits(0, other).toFloatArray()).isEqualTo(online.toFloatArray());
            }
        }
    }

    /**
     * Fashion-MNIST pictures as a streamed image folder: two a class from the embedded subset, each split, as
     * 28 px RGB PNGs in folders 0..9 (the teacher scores them, so its contract is right).
     */
    static Path folder(Path root) throws IOException {
        try (Run mini = run("""
                data: {name: fashion-mnist-mini, train_subset: 400}
                networks: {student: {arch: resnet8}}
                method: {name: baseline}
                """)) {
            ImageDataset ds = mini.train();
            int[] taken = new int[10];
            for (int i = 0; i < ds.size(); i++) {
                int c = ds.label(i);
                if (taken[c] == 4) {
                    continue;
                }
                String split = taken[c] < 2 ? "train" : "test";
                Path d = Files.createDirectories(root.resolve(split).resolve(String.valueOf(c)));
                BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 28; y++) {
                    for (int x = 0; x < 28; x++) {
                        img.setRGB(x, y, (ds.pixels()[i * 784 + y * 28 + x] & 0xff) * 0x010101);
                    }
                }
                ImageIO.write(img, "png", d.resolve(taken[c]++ + ".png").toFile());
            }
        }
        return root;
    }

    @Test
    void sampledCropsOfStreamedImagesAreStoredWithTheirLogitsAndTheLoaderDrawsAmongThem() throws IOException {
        Path root = folder(dir.resolve("images"));
        Path file = dir.resolve("crops.bin");
        Path teacher = Files.copy(TEACHER, dir.resolve("teacher.pt")); // without its card: the classes are 0..9
        String yaml = """
                seed: 1
                data: {name: image-folder, root: '%s', image_size: 32, crop: random-resized, crop_scale: [0.5, 1.0], flip: true,
                       workers: 1}
                networks: {student: {arch: resnet8}}
                teachers: {teacher: {model: '%s', input: {channels: 1, height: 28, width: 28, mean: [0.286],
                           std: [0.353], normalization: caller}, classes: ['0','1','2','3','4','5','6','7','8','9']}}
                train: {epochs: 1, batch_size: 8, threads: 1, teacher_views: '%s', teacher_views_k: 3}
                method: {name: kd}
                """.formatted(root, teacher, file);
        try (Run run = run(yaml)) {
            TeacherViewsBuilder.attach(run);
            TeacherViews store = run.teacherViews();
            assertThat(store.images()).isEqualTo(20);
            assertThat(store.views()).isEqualTo(3);
            HostBatch hb = run.trainLoader().batch(0, 0);
            assertThat(hb.viewCodes()).hasSize(hb.size());
            assertThat(Arrays.stream(hb.viewCodes()).boxed().toList()).allSatisfy(k -> assertThat(k).isBetween(0, 2));
            int[] rows = run.teacherViewRows(hb.indices());
            try (NDManager m = run.manager().newSubManager()) {
                Batch b = new Batch(hb, m);
                // the batch's pictures are the stored crops: rendered again from the stored geometry, bit for bit
                int size = 3 * 32 * 32;
                for (int i = 0; i < hb.size(); i++) {
                    int at = 5 * hb.viewCodes()[i];
                    double[] region = {store.geometry(rows[i], at), store.geometry(rows[i], at + 1),
                            store.geometry(rows[i], at + 2), store.geometry(rows[i], at + 3)};
                    byte[] px = run.train().files().input(hb.indices()[i], region, 32, 32);
                    float[] again = new float[size];
                    run.trainLoader().augmenter().render(px, 0, 3, 32, 32, 0, 0,
                            store.geometry(rows[i], at + 4) != 0, again, 0);
                    assertThat(Arrays.copyOfRange(hb.views()[0], i * size, (i + 1) * size))
                            .as("sample %d", i).isEqualTo(again);
                }
                Teachers t = new Teachers(run.teachers(), null, 0, new Teachers.StoredViews(store, b.images(), rows,
                        hb.viewCodes()));
                assertStored(t.logits(0, b.images()).toFloatArray(),
                        run.teachers().get(0).logits(b.images()).toFloatArray(), 10, "batch");
            }
        }
    }

    @Test
    void whatTheStoreCannotServeIsOneLine() {
        Path file = dir.resolve("views.bin");
        try (Run build = run(config(file, 6, 0, 0, ""))) {
            TeacherViewsBuilder.attach(build);
        }
        try (Run more = run(config(file, 12, 0, 0, ""))) {
            assertThatThrownBy(() -> TeacherViewsBuilder.attach(more)).isInstanceOf(UserError.class)
                    .hasMessageContaining("test.yaml: train.teacher_views: " + file + ": 6 of the run's 12 training "
                            + "images are not in the store");
        }
        try (Run pad = run(config(file, 6, 0, 0, "").replace("validation_seed: 0}", "validation_seed: 0, pad_crop: 1}"))) {
            assertThatThrownBy(() -> TeacherViewsBuilder.attach(pad)).isInstanceOf(UserError.class)
                    .hasMessage(file + ": built for other teachers, views or images (it has 'views pad-crop 2, "
                            + "flip', this run needs 'views pad-crop 1, flip'); delete it to rebuild, or set "
                            + "train.teacher_views to another file");
        }
        assertThatThrownBy(() -> run(config(file, 6, 0, 0, "").replace("validation_seed: 0}",
                "validation_seed: 0, mix: cutmix}"))).isInstanceOf(UserError.class)
                .hasMessageContaining("train.teacher_views: " + file + ": data.mix cutmix blends images into views no "
                        + "store holds");
        assertThatThrownBy(() -> run(config(file, 6, 0, 0, "").replace("validation_seed: 0}",
                "validation_seed: 0, cutout: 8}"))).isInstanceOf(UserError.class)
                .hasMessageContaining("data.cutout 8 draws views outside the pad-crop and flip set");
    }
}
