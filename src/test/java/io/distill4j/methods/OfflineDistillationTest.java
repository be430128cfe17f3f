package io.distill4j.methods;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import io.distill4j.FloatBounds;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.loop.Stepper;
import io.distill4j.losses.DistillLoss;
import io.distill4j.models.ModelRegistry;
import io.distill4j.models.Network;
import io.distill4j.run.Run;
import io.distill4j.runfolder.RunFolder;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Checkpoints;
import io.distill4j.runtime.Net;
import io.distill4j.util.Scalars;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OfflineDistillationTest {
    @TempDir
    static Path dir;
    static Path teacherCkpt;

    static final String BASE = """
            seed: 2
            data: {name: fashion-mnist-mini, train_subset: 256}
            networks: {student: {arch: resnet8}}
            train: {epochs: 1, batch_size: 64, threads: 1}
            optim: {lr: 0.05}
            """;

    static Run run(String yaml) throws IOException {
        Path p = Files.createTempFile(dir, "cfg", ".yaml");
        Files.writeString(p, yaml);
        return Run.build(ConfigLoader.load(p, List.of()));
    }

    static Path secondTeacherCkpt;

    @BeforeAll
    static void trainTeachers() throws IOException {
        try (Run r = run(BASE.replace("arch: resnet8", "arch: resnet14"))) {
            new RunFolder(r, dir.resolve("teacher"), new PrintStream(new ByteArrayOutputStream())).train(false, null);
        }
        teacherCkpt = dir.resolve("teacher/checkpoints/last.ckpt");
        try (Run r = run(BASE.replace("seed: 2", "seed: 3"))) {
            new RunFolder(r, dir.resolve("teacher2"), new PrintStream(new ByteArrayOutputStream())).train(false, null);
        }
        secondTeacherCkpt = dir.resolve("teacher2/checkpoints/last.ckpt");
    }

    static String meal(String options) {
        return BASE + "teachers:\n  t: {arch: resnet14, checkpoint: '" + teacherCkpt + "'}\n"
                + "  u: {arch: resnet8, checkpoint: '" + secondTeacherCkpt + "'}\n"
                + "method: {name: meal-v2, meal-v2: {" + options.replaceFirst("^, ", "") + "}}\n";
    }

    static List<float[]> train(String yaml, int steps, Map<Integer, Map<String, Float>> losses) throws IOException {
        try (Run r = run(yaml)) {
            Stepper d = new Stepper(r);
            for (int i = 0; i < steps; i++) {
                Map<String, Float> l = d.step();
                if (losses != null) {
                    losses.put(i, l);
                }
            }
            return values(r.nets().get(0));
        }
    }

    /** What the first step of a run sees and gives: the teacher's and the student's logits of batch 0, the losses. */
    record FirstStep(float[] teacher, float[] student, Map<String, Float> losses) {}

    static FirstStep firstStep(String yaml) throws IOException {
        try (Run r = run(yaml); NDManager m = r.manager().newSubManager()) {
            NDArray x = r.trainLoader().batch(0, 0).view(m, 0);
            float[] teacher = r.teachers().get(0).logits(x).toFloatArray();
            // as the step's forward (training mode: batch statistics; the running ones it moves are not read)
            float[] student = r.nets().get(0).logits(x, true).toFloatArray();
            return new FirstStep(teacher, student, new Stepper(r).step());
        }
    }

    /**
     * MEAL-v2 with one teacher and no discriminator is soft-label KD: its soft cross-entropy to the teacher's
     * softmax is KD's KL plus the teacher's entropy, a constant, so the two make the same gradients. Checked where
     * float rounding can be bounded (weights after several steps are not compared: training amplifies the
     * different roundings of the two computations by an amount no bound follows from):
     * <ul>
     * <li>the first step's losses, on the same batch and the same initial student (checked bit for bit): soft CE
     * = KL + T^2 mean H(p_t), within the float32 evaluation bounds of the two losses
     * ({@link FloatBounds#softCrossEntropy}, {@link FloatBounds#kl}; H in double);</li>
     * <li>the gradients of the two losses with respect to the student's logits of that batch, both (T / N)(q - p)
     * exactly, within twice {@link FloatBounds#klGradient} (the rest of a step is the same code on them).</li>
     * </ul>
     */
    @Test
    void mealV2WithOneTeacherAndNoDiscriminatorIsSoftLabelKd() throws IOException {
        String oneTeacher = BASE + "teachers: {t: {arch: resnet14, checkpoint: '" + teacherCkpt + "'}}\n";
        Map<Double, Float> mealLoss = new HashMap<>();
        for (double t : new double[] {1, 4}) {
            FirstStep meal = firstStep(oneTeacher + "method: {name: meal-v2, meal-v2: {discriminator: false, temperature: "
                    + t + "}}\n");
            FirstStep kd = firstStep(oneTeacher + "method: {name: kd, kd: {temperature: " + t
                    + ", ce_weight: 0, kd_weight: 1}}\n");
            assertThat(meal.teacher()).containsExactly(kd.teacher());
            assertThat(meal.student()).containsExactly(kd.student());
            int k = 10;
            int n = kd.teacher().length / k;
            double[] lp = FloatBounds.logSoftmax(kd.teacher(), k, t);
            double entropy = 0;
            for (double l : lp) {
                entropy -= Math.exp(l) * l;
            }
            double constant = t * t * entropy / n;
            float softCe = meal.losses().get("student/soft_ce");
            float kl = kd.losses().get("student/kd");
            double bound = FloatBounds.softCrossEntropy(kd.teacher(), kd.student(), k, t)
                    + FloatBounds.kl(kd.teacher(), kd.student(), k, t);
            assertThat((double) softCe).as("T %s: soft CE = KL + T^2 H (bound %.3g)", t, bound)
                    .isCloseTo(kl + constant, Assertions.within(bound));
            mealLoss.put(t, softCe);

            double[] gradientBound = FloatBounds.klGradient(kd.teacher(), kd.student(), k, t);
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray zt = m.create(kd.teacher(), new Shape(n, k));
                float[] viaSoftCe = logitGradient(m, kd.student(), n, k,
                        z -> DistillLoss.softCrossEntropy(Scalars.mul(zt, (float) (1 / t)).softmax(1), z, t));
                float[] viaKl = logitGradient(m, kd.student(), n, k, z -> DistillLoss.kl(zt, z, t));
                for (int i = 0; i < viaKl.length; i++) {
                    assertThat((double) viaSoftCe[i]).as("T %s: gradient %d", t, i)
                            .isCloseTo(viaKl[i], Assertions.within(2 * gradientBound[i]));
                }
            }
        }
        assertThat(mealLoss.get(4.0)).isNotEqualTo(mealLoss.get(1.0));
    }

    /** The gradient of {@code loss} with respect to logits {@code z} (n x k). */
    static float[] logitGradient(NDManager m, float[] z, int n, int k, Function<NDArray, NDArray> loss) {
        NDArray zs = m.create(z, new Shape(n, k));
        zs.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(loss.apply(zs));
        }
        return zs.getGradient().toFloatArray();
    }

    @Test
    void mealV2TrainsTheDiscriminatorAndResumesExactly() throws IOException {
        Path cfg = Files.createTempFile(dir, "meal", ".yaml");
        Files.writeString(cfg, meal("").replace("epochs: 1", "epochs: 2"));
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        List<float[]> straight;
        List<float[]> straightDisc;
        try (Run r = Run.build(ConfigLoader.load(cfg, List.of()))) {
            new RunFolder(r, dir.resolve("m1"), quiet).train(false, null);
            straight = values(r.nets().get(0));
            straightDisc = values(r.method().ownNetworks().get(0));
        }
        Checkpoint c = Checkpoint.read(dir.resolve("m1/checkpoints/last.ckpt"));
        assertThat(c.meta().getAsJsonObject("networks").keySet()).containsExactly("student", "discriminator");
        try (Run r = Run.build(ConfigLoader.load(cfg, List.of()))) {
            new RunFolder(r, dir.resolve("m2"), quiet).train(false, 5L);
        }
        try (Run r = Run.build(ConfigLoader.load(cfg, List.of()))) {
            new RunFolder(r, dir.resolve("m2"), quiet).train(true, null);
            List<float[]> resumed = values(r.nets().get(0));
            List<float[]> resumedDisc = values(r.method().ownNetworks().get(0));
            for (int i = 0; i < straight.size(); i++) {
                assertThat(resumed.get(i)).containsExactly(straight.get(i));
            }
            for (int i = 0; i < straightDisc.size(); i++) {
                assertThat(resumedDisc.get(i)).containsExactly(straightDisc.get(i));
            }
        }
        Map<Integer, Map<String, Float>> losses = new HashMap<>();
        train(meal(""), 2, losses);
        assertThat(losses.get(1)).containsKeys("student/soft_ce", "discriminator/bce");
        train(meal(", mode: adversarial, hard_label_weight: 0.5"), 2, losses);
        assertThat(losses.get(1)).containsKeys("student/soft_ce", "student/ce", "discriminator/bce");
    }

    static String kd(String options) {
        return BASE + "teachers: {t: {arch: resnet14, checkpoint: '" + teacherCkpt + "'}}\n"
                + "method: {name: kd, kd: {" + options.replaceFirst("^, ", "") + "}}\n";
    }

    static List<float[]> values(Net n) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : n.block().getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    @Test
    void teacherIsFrozenBitForBitAndGetsNoGradient() throws IOException {
        try (Run r = run(kd(""))) {
            Net teacher = r.teachers().get(0).net();
            List<float[]> before = values(teacher);
            Stepper d = new Stepper(r);
            for (int i = 0; i < 4; i++) {
                Map<String, Float> losses = d.step();
                assertThat(losses).containsKeys("student/ce", "student/kd");
            }
            List<float[]> after = values(teacher);
            for (int i = 0; i < before.size(); i++) {
                assertThat(after.get(i)).containsExactly(before.get(i)); // weights and BatchNorm statistics
            }
            for (Pair<String, Parameter> p : teacher.block().getParameters()) {
                assertThat(p.getValue().getArray().hasGradient()).as(p.getKey()).isFalse();
            }
            assertThat(teacher.trainable()).isFalse();
        }
    }

    @Test
    void kdWithoutItsKlTermIsTheBaselineStepForStep() throws IOException {
        List<float[]> viaKd;
        List<Float> kdLosses = new ArrayList<>();
        try (Run r = run(kd(", ce_weight: 1.0, kd_weight: 0.0"))) {
            Stepper d = new Stepper(r);
            for (int i = 0; i < 4; i++) {
                kdLosses.add(d.step().get("student/ce"));
            }
            viaKd = values(r.nets().get(0));
        }
        List<Float> baseLosses = new ArrayList<>();
        try (Run r = run(BASE + "method: {name: baseline}\n")) {
            Stepper d = new Stepper(r);
            for (int i = 0; i < 4; i++) {
                baseLosses.add(d.step().get("student/ce"));
            }
            List<float[]> viaBase = values(r.nets().get(0));
            assertThat(kdLosses).isEqualTo(baseLosses);
            for (int i = 0; i < viaBase.size(); i++) {
                assertThat(viaKd.get(i)).containsExactly(viaBase.get(i));
            }
        }
    }

    @Test
    void teacherCheckpointOfTheWrongArchitectureOrShapeIsNamed() throws IOException {
        assertThatThrownBy(() -> run(kd("").replace("arch: resnet14, checkpoint", "arch: resnet8, checkpoint")))
                .isInstanceOf(UserError.class).hasMessageContaining("last.ckpt").hasMessageContaining("resnet14");
        // a resnet14 saved for 3-channel inputs, loaded where inputs have 1 channel
        Path rgb = dir.resolve("rgb.ckpt");
        try (NDManager m = NDManager.newBaseManager()) {
            Network block = ModelRegistry.buildAndInit("resnet14", 3, 10, 32, 32, m);
            Checkpoint c = new Checkpoint();
            Checkpoints.saveNetwork(c, new Net("student", block, m.newSubManager(), null));
            c.write(rgb);
        }
        assertThatThrownBy(() -> run(kd("").replace(teacherCkpt.toString(), rgb.toString())))
                .isInstanceOf(UserError.class).hasMessageContaining("rgb.ckpt").hasMessageContaining("shape")
                .hasMessageContaining("(16, 3, 3, 3)").hasMessageContaining("(16, 1, 3, 3)");
        assertThatThrownBy(() -> run(BASE + "method: {name: kd}\n")).isInstanceOf(UserError.class)
                .hasMessageContaining("teacher");
    }

    /**
     * Stored teacher outputs ({@code train.teacher_outputs}) give the student exactly what the teachers online
     * give, bit for bit, for KD and for MEAL V2's two teachers, mixing included; the store is built once, reused,
     * refused for another run, and saves the teachers' forwards.
     */
    @Test
    void storedTeacherOutputsTrainTheStudentBitForBit() throws IOException {
        String mixed = "data: {name: fashion-mnist-mini, train_subset: 256, mix: cutmix, mix_probability: 0.5}\n";
        for (String yaml : List.of(kd(""), meal(""), kd("").replace("data: {name: fashion-mnist-mini, train_subset: 256}\n",
                mixed))) {
            Path store = Files.createTempFile(dir, "teachers", ".bin");
            Files.delete(store);
            String stored = yaml.replace("train: {", "train: {teacher_outputs: '" + store + "', ");
            Map<Integer, Map<String, Float>> online = new HashMap<>();
            Map<Integer, Map<String, Float>> built = new HashMap<>();
            Map<Integer, Map<String, Float>> reused = new HashMap<>();
            List<float[]> a = train(yaml, 4, online);
            List<float[]> b = train(stored, 4, built);
            assertThat(store).exists();
            List<float[]> c = train(stored, 4, reused);
            assertThat(built).isEqualTo(online);
            assertThat(reused).isEqualTo(online);
            for (int i = 0; i < a.size(); i++) {
                assertThat(b.get(i)).isEqualTo(a.get(i));
                assertThat(c.get(i)).isEqualTo(a.get(i));
            }
            int teachers = yaml.contains("meal-v2") ? 2 : 1;
            assertThat(Files.size(store)).isGreaterThan(4L * 256 * teachers * 10); // one epoch: 256 rows
        }
        // the store answers instead of the teachers: no teacher forward is made
        Path store = Files.createTempFile(dir, "teachers", ".bin");
        Files.delete(store);
        String stored = kd("").replace("train: {", "train: {teacher_outputs: '" + store + "', ");
        train(stored, 1, null);
        try (Run r = run(stored)) {
            Net teacher = r.teachers().get(0).net();
            teacher.countForwards(true);
            Stepper d = new Stepper(r);
            d.step();
            d.step();
            assertThat(teacher.imagesForwarded()).isZero();
        }
        // built for another run: refused, naming the difference
        assertThatThrownBy(() -> train(stored.replace("seed: 2", "seed: 5"), 1, null)).isInstanceOf(UserError.class)
                .hasMessageContaining(store.toString()).hasMessageContaining("seed 2").hasMessageContaining("seed 5");
        assertThatThrownBy(() -> train(BASE.replace("train: {", "train: {teacher_outputs: '" + store + "', ")
                + "method: {name: baseline}\n", 1, null)).isInstanceOf(UserError.class)
                .hasMessageContaining("no teachers");
        // a dense store is not a top-k one
        assertThatThrownBy(() -> train(stored.replace("train: {", "train: {teacher_outputs_top_k: 3, "), 1, null))
                .isInstanceOf(UserError.class).hasMessageContaining("encoding dense float32")
                .hasMessageContaining("encoding top 3 at temperature 4.0");
    }

    /**
     * A top-k store ({@code train.teacher_outputs_top_k}) is the size its encoding says, and trains a student
     * that differs from the exact one only through the classes below the top k: with k = classes - 1 the fill
     * is the last class's own logit, so the student is bit for bit the dense store's.
     */
    @Test
    void aTopKStoreIsCompactAndExactWhenItLeavesOutOneClass() throws IOException {
        String yaml = kd("");
        List<float[]> exact = train(yaml, 2, null);
        Path store9 = dir.resolve("top9.bin");
        List<float[]> top9 = train(yaml.replace("train: {", "train: {teacher_outputs: '" + store9
                + "', teacher_outputs_top_k: 9, "), 2, null);
        for (int i = 0; i < exact.size(); i++) {
            assertThat(top9.get(i)).isEqualTo(exact.get(i));
        }
        Path store3 = dir.resolve("top3.bin");
        List<float[]> top3 = train(yaml.replace("train: {", "train: {teacher_outputs: '" + store3
                + "', teacher_outputs_top_k: 3, "), 2, null);
        long rows = 256; // one epoch of 256 images
        assertThat(Files.size(store3) - Files.size(store9)).isEqualTo(rows * (6 * 3 + 4 - (6 * 9 + 4)));
        boolean differs = false;
        for (int i = 0; i < exact.size(); i++) {
            differs |= !Arrays.equals(top3.get(i), exact.get(i));
        }
        assertThat(differs).as("three of ten classes kept changes the student").isTrue();
        assertThatThrownBy(() -> train(yaml.replace("train: {", "train: {teacher_outputs_top_k: 3, "), 1, null))
                .isInstanceOf(UserError.class).hasMessageContaining("train.teacher_outputs_top_k")
                .hasMessageContaining("teacher_outputs: FILE");
    }
}
