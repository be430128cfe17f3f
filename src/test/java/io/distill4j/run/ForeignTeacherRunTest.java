package io.distill4j.run;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonParser;
import io.distill4j.FloatBounds;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.foreign.InputAdapter;
import io.distill4j.knowledge.ForeignTeacher;
import io.distill4j.loop.Stepper;
import io.distill4j.runfolder.RunFolder;
import io.distill4j.runtime.Net;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * KD from the teacher that the README's main job distils (trained in PyTorch, shipped as TorchScript and ONNX in
 * {@code models/fashion-mnist-teacher/} with its model card): the two files give the same logits and the same first
 * KD loss up to bounded float rounding, stored outputs train bit for bit as the model does, the teacher is scored
 * before the first step, and its contract comes from the card.
 */
class ForeignTeacherRunTest {
    static final Path TEACHER = Path.of("models/fashion-mnist-teacher");

    @TempDir
    Path dir;

    static final int BATCHES = 3;
    static final double TEMPERATURE = 4;
    static final float KD_WEIGHT = 0.9f;

    private Run kd(String file) throws IOException {
        Path cfg = dir.resolve("kd-" + file + ".yaml");
        Files.writeString(cfg, """
                seed: 4
                data: {name: fashion-mnist-mini, train_subset: 128, pad_crop: 2, flip: true}
                networks: {student: {arch: resnet8}}
                teachers: {teacher: {model: MODEL}}
                train: {epochs: 1, batch_size: 32, threads: 1}
                optim: {lr: 0.1}
                method: {name: kd, kd: {temperature: 4, ce_weight: 0.1, kd_weight: 0.9}}
                """.replace("MODEL", TEACHER.resolve(file).toAbsolutePath().toString()));
        return Run.build(ConfigLoader.load(cfg, List.of()));
    }

    /**
     * What a run with one of the two files gives before and at its first step: the first batches (view 0, as the
     * step feeds the teacher), the teacher's logits of them, the teacher's input for them (after the card's
     * contract), the student's weights and training-mode logits of the first batch before the step, and the
     * first step's losses.
     */
    private record FirstStep(List<float[]> views, List<float[]> teacherLogits, List<float[]> teacherInputs,
                             List<float[]> studentWeights, float[] studentLogits, Map<String, Float> losses) {}

    private FirstStep firstStep(String file) throws IOException {
        try (Run run = kd(file)) {
            ForeignTeacher t = (ForeignTeacher) run.teachers().get(0);
            assertThat(t.model().runtime()).isEqualTo(file.endsWith(".pt") ? "torchscript" : "onnxruntime");
            assertThat(t.contract().normalizedInside()).as("the card: normalised by the caller").isFalse();
            assertThat(run.teacherScores()).hasSize(1);
            assertThat((double) run.teacherScores().get(0).get("top1")).as("a trained teacher").isGreaterThan(0.85);
            InputAdapter adapter = new InputAdapter(1, 28, 28, run.normalization().mean(), run.normalization().std(),
                    t.contract());
            List<float[]> views = new ArrayList<>();
            List<float[]> logits = new ArrayList<>();
            List<float[]> inputs = new ArrayList<>();
            List<float[]> weights = new ArrayList<>();
            float[] student;
            try (NDManager m = run.manager().newSubManager()) {
                for (int b = 0; b < BATCHES; b++) {
                    HostBatch hb = run.trainLoader().batch(0, b); // what the Stepper's step b feeds the method
                    views.add(hb.views()[0].clone());
                    logits.add(t.logits(hb.view(m, 0)).toFloatArray()); // through the ForeignTeacher: adapted
                    inputs.add(adapter.adapt(hb.view(m, 0)).toFloatArray());
                }
                for (Net n : run.optimized()) {
                    for (Pair<String, Parameter> p : n.block().getParameters()) {
                        weights.add(p.getValue().getArray().toFloatArray());
                    }
                }
                // the student's logits as step 1 computes them (training mode: batch statistics; the running
                // statistics this forward moves are not used by a training-mode forward)
                student = run.nets().get(0).logits(run.trainLoader().batch(0, 0).view(m, 0), true).toFloatArray();
            }
            return new FirstStep(views, logits, inputs, weights, student, new Stepper(run).step());
        }
    }

    /**
     * The teacher of the README's main job, as TorchScript (libtorch) and as ONNX (ONNX Runtime): two runtimes
     * that sum in different orders (and ONNX Runtime and oneDNN pick kernels by CPU), so their logits agree only up
     * to float rounding, and what a student trains to is compared where rounding can be bounded:
     * <ol>
     * <li>the teacher's logits on the run's first batches, through the ForeignTeacher (input adaptation included),
     * within the forward-error bound of the network ({@link #logitBounds});</li>
     * <li>the first step's losses, where the student's weights and batch are still identical in both runs: the
     * cross-entropy exactly, the KD term within what (1) allows through the KD loss's slope in the teacher's
     * logits, plus the rounding of evaluating the loss twice ({@link #kdLossBound}).</li>
     * </ol>
     * Weights after several steps are not compared: training amplifies the rounding of the logits by an amount no
     * bound follows from (on an AVX2-only AMD EPYC, 1.45e-4 on a weight after 3 steps). That
     * the same teacher outputs make bit-identical KD steps is shown exactly by
     * {@link #storedOutputsOfAForeignTeacherTrainTheSameStudentAndNameTheModelFileAndContract}.
     */
    @Test
    void torchScriptAndOnnxFilesOfOneTeacherGiveTheSameLogitsAndFirstKdLossUpToRounding() throws IOException {
        FirstStep pt = firstStep("teacher.pt");
        FirstStep onnx = firstStep("teacher.onnx");
        // the same batches, the same adapted teacher input and the same initial student in both runs: exact
        for (int b = 0; b < BATCHES; b++) {
            assertThat(onnx.views().get(b)).as("batch %d", b).containsExactly(pt.views().get(b));
            assertThat(onnx.teacherInputs().get(b)).as("teacher input %d", b).containsExactly(pt.teacherInputs().get(b));
        }
        for (int i = 0; i < pt.studentWeights().size(); i++) {
            assertThat(onnx.studentWeights().get(i)).as("initial parameter %d", i)
                    .containsExactly(pt.studentWeights().get(i));
        }
        assertThat(onnx.studentLogits()).containsExactly(pt.studentLogits());

        // (1) the teacher's logits
        List<double[]> bounds = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            float[] a = pt.teacherLogits().get(b);
            float[] o = onnx.teacherLogits().get(b);
            assertThat(o).hasSameSizeAs(a);
            double[] bound = logitBounds(a, o);
            for (int i = 0; i < a.length; i++) {
                assertThat((double) o[i]).as("batch %d logit %d (bound %.3g)", b, i, bound[i])
                        .isCloseTo(a[i], within(bound[i]));
            }
            bounds.add(bound);
        }

        // (2) the first step's losses
        assertThat(onnx.losses().keySet()).isEqualTo(pt.losses().keySet());
        assertThat(onnx.losses().get("student/ce")).as("the cross-entropy sees no teacher")
                .isEqualTo(pt.losses().get("student/ce"));
        double kdBound = kdLossBound(pt.teacherLogits().get(0), onnx.teacherLogits().get(0), bounds.get(0),
                pt.studentLogits());
        assertThat((double) onnx.losses().get("student/kd")).as("bound %.3g", kdBound)
                .isCloseTo(pt.losses().get("student/kd"), within(kdBound));
    }

    /**
     * A bound on |logits of the TorchScript file - logits of the ONNX file| for one batch (N x 10, {@code a} and
     * {@code o}), the same bound for every logit of a sample: 2 * G * the sample's largest |logit| (of either).
     * <p>
     * The network (tools/make_teacher.py and the model card: conv3x3 32-32, maxpool, conv3x3 64-64, maxpool,
     * conv3x3 128-128, maxpool, global average pool, linear 128 -> 10): six convolutions whose outputs are dot
     * products of n = 9, 288, 288, 576, 576, 1152 terms plus a bias, an average of 3 x 3 = 9 values and a linear
     * layer of n = 128 plus a bias; ReLU and max-pool do not round. A dot product of n terms plus a bias, in any order
     * and with or without FMA, is within gamma(n + 1) of its exact value relative to the sum of its terms' absolute
     * values (Higham 3.1), so a forward pass whose layers keep their outputs as large as those sums (the model the
     * bound rests on, as the brief's "relative to the logits' magnitude") is within G = sum over layers of
     * gamma(n_l + 1) relative to its logits. BatchNorm: libtorch applies it after the convolution (scale and shift
     * computed from the running statistics: a few roundings) where the ONNX file stores weights folded when it was
     * exported (rounded once more): 10 u on each convolution. Both runtimes obey the bound: twice G, 3.7e-4, about
     * 6e-3 on logits of 16; an error of input adaptation, class order or a missing layer is far larger.
     */
    static double[] logitBounds(float[] a, float[] o) {
        double g = FloatBounds.network(10, 9, 288, 288, 576, 576, 1152) + FloatBounds.network(0, 9, 128);
        return FloatBounds.perSample(a, o, 10, g);
    }

    /**
     * A bound on |KD loss with teacher logits a - KD loss with teacher logits o| for one batch and the same student
     * logits s, where |a - o| <= bound componentwise: kd = w T^2 mean_n KL(softmax(z_t / T) || softmax(s / T)).
     * <ul>
     * <li>The slope: d(T^2 KL_n)/dz_t,j = T p_j (r_j - KL_n), with p the teacher's probabilities and
     * r_j = log p_j - log q_j. Along the segment from a to o the scaled logits move by at most rho / 2 = d / T
     * (d: the sample's largest bound), so log p_j and r_j by at most rho, p_j by a factor at most e^rho and KL_n by
     * at most (e^rho - 1) sum p |r| + rho: the slope stays within T p_j e^rho (|r_j - KL_n| + 2 rho +
     * (e^rho - 1) sum p |r|), and the loss difference within w / N times the sum over the batch of that slope times
     * the logit's bound.</li>
     * <li>The rounding of evaluating the loss in float32 in each run ({@link #kdEvaluationError}).</li>
     * </ul>
     */
    static double kdLossBound(float[] a, float[] o, double[] bound, float[] s) {
        int k = 10;
        int n = a.length / k;
        double[] lp = FloatBounds.logSoftmax(a, k, TEMPERATURE);
        double[] lq = FloatBounds.logSoftmax(s, k, TEMPERATURE);
        double slope = 0;
        for (int i = 0; i < n; i++) {
            double d = 0;
            double kl = 0;
            double pr = 0;
            for (int j = i * k; j < (i + 1) * k; j++) {
                d = Math.max(d, bound[j]);
                kl += Math.exp(lp[j]) * (lp[j] - lq[j]);
                pr += Math.exp(lp[j]) * Math.abs(lp[j] - lq[j]);
            }
            double rho = 2 * d / TEMPERATURE;
            for (int j = i * k; j < (i + 1) * k; j++) {
                double g = TEMPERATURE * Math.exp(lp[j]) * Math.exp(rho)
                        * (Math.abs(lp[j] - lq[j] - kl) + 2 * rho + Math.expm1(rho) * pr);
                slope += g * bound[j];
            }
        }
        return KD_WEIGHT * slope / n + kdEvaluationError(a, s) + kdEvaluationError(o, s);
    }

    /**
     * The rounding of kd = w * T^2 * mean KL evaluated in float32 as DistillLoss.kl does (FloatBounds.kl: both
     * log-softmaxes, the terms, the sums, T^2 and the mean), and the product by w (u of the result, taken as
     * u times the bound's own estimate of |kd|: w T^2 mean sum p |d| is at least |kd|).
     */
    static double kdEvaluationError(float[] teacher, float[] student) {
        int k = 10;
        double[] lq = FloatBounds.logSoftmax(teacher, k, TEMPERATURE);
        double[] lp = FloatBounds.logSoftmax(student, k, TEMPERATURE);
        double value = 0;
        for (int i = 0; i < lq.length; i++) {
            value += Math.exp(lq[i]) * Math.abs(lq[i] - lp[i]);
        }
        value *= KD_WEIGHT * TEMPERATURE * TEMPERATURE / (teacher.length / k);
        return KD_WEIGHT * FloatBounds.kl(teacher, student, k, TEMPERATURE) + FloatBounds.U * value;
    }

    /** Every parameter of the run's optimized networks after {@code steps} steps. */
    private static List<float[]> weightsAfter(Run run, int steps) {
        Stepper s = new Stepper(run);
        for (int i = 0; i < steps; i++) {
            s.step();
        }
        List<float[]> w = new ArrayList<>();
        for (Net n : run.optimized()) {
            for (Pair<String, Parameter> p : n.block().getParameters()) {
                w.add(p.getValue().getArray().toFloatArray());
            }
        }
        return w;
    }

    @Test
    void storedOutputsOfAForeignTeacherTrainTheSameStudentAndNameTheModelFileAndContract() throws IOException {
        Path model = Files.createDirectories(dir.resolve("teacher"));
        Files.copy(TEACHER.resolve("teacher.pt"), model.resolve("teacher.pt"));
        Files.copy(TEACHER.resolve("distill4j-model.json"), model.resolve("distill4j-model.json"));
        String yaml = """
                seed: 4
                data: {name: fashion-mnist-mini, train_subset: 96}
                networks: {student: {arch: resnet8}}
                teachers: {teacher: {model: MODEL}}
                train: {epochs: 1, batch_size: 32, threads: 1 STORE}
                method: {name: kd}
                """.replace("MODEL", model.resolve("teacher.pt").toString());
        Path store = dir.resolve("outputs.bin");
        Path online = dir.resolve("online.yaml");
        Path stored = dir.resolve("stored.yaml");
        Files.writeString(online, yaml.replace(" STORE", ""));
        Files.writeString(stored, yaml.replace(" STORE", ", teacher_outputs: '" + store + "'"));
        List<float[]> a;
        try (Run run = Run.build(ConfigLoader.load(online, List.of()))) {
            a = weightsAfter(run, 3);
        }
        List<float[]> b;
        try (Run run = Run.build(ConfigLoader.load(stored, List.of()))) {
            b = weightsAfter(run, 3);
        }
        assertThat(Files.size(store)).isPositive();
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i)).as("parameter %d", i).containsExactly(a.get(i));
        }
        // the contract is part of what the store was built for: a card that says otherwise is refused
        String card = Files.readString(model.resolve("distill4j-model.json"));
        Files.writeString(model.resolve("distill4j-model.json"), card.replace("0.353", "0.35"));
        assertThatThrownBy(() -> {
            try (Run run = Run.build(ConfigLoader.load(stored, List.of()))) {
                weightsAfter(run, 1);
            }
        }).isInstanceOf(UserError.class).hasMessageContaining(store.getFileName().toString());
    }

    @Test
    void mealV2TakesTeachersOfThreeKindsInOneEnsemble() throws IOException {
        Path teacherCfg = dir.resolve("own-teacher.yaml");
        Files.writeString(teacherCfg, "seed: 2\ndata: {name: fashion-mnist-mini, train_subset: 256}\n"
                + "networks: {t: {arch: resnet8}}\ntrain: {epochs: 1, batch_size: 64, threads: 1}\n");
        try (Run run = Run.build(ConfigLoader.load(teacherCfg, List.of()))) {
            new RunFolder(run, dir.resolve("own"), new PrintStream(
                    new ByteArrayOutputStream())).train(false, null);
        }
        Path cfg = dir.resolve("meal.yaml");
        Files.writeString(cfg, """
                seed: 4
                data: {name: fashion-mnist-mini, train_subset: 96}
                networks: {student: {arch: resnet8}}
                teachers:
                  pytorch: {model: PT}
                  onnx: {model: ONNX}
                  own: {model: OWN}
                train: {epochs: 1, batch_size: 32, threads: 1}
                method: {name: meal-v2}
                """.replace("PT", TEACHER.resolve("teacher.pt").toAbsolutePath().toString())
                .replace("ONNX", TEACHER.resolve("teacher.onnx").toAbsolutePath().toString())
                .replace("OWN", dir.resolve("own").toString()));
        try (Run run = Run.build(ConfigLoader.load(cfg, List.of()))) {
            assertThat(run.teachers()).extracting(t -> t.net() == null).containsExactly(true, true, false);
            Map<String, Float> losses = new Stepper(run).step();
            assertThat(losses.values()).allMatch(Float::isFinite);
            assertThat(run.teacherScores()).hasSize(3);
        }
    }

    @Test
    void theTeachersScoreIsInTheSummary() throws IOException {
        Path cfg = dir.resolve("kd.yaml");
        Files.writeString(cfg, """
                seed: 4
                data: {name: fashion-mnist-mini, train_subset: 64, validation: 500}
                networks: {student: {arch: resnet8}}
                teachers: {teacher: {model: MODEL}}
                train: {epochs: 1, batch_size: 32, threads: 1}
                method: {name: kd}
                """.replace("MODEL", TEACHER.resolve("teacher.pt").toAbsolutePath().toString()));
        Path out = dir.resolve("out");
        try (Run run = Run.build(ConfigLoader.load(cfg, List.of()))) {
            new RunFolder(run, out, new PrintStream(new ByteArrayOutputStream()))
                    .train(false, null);
        }
        var summary = JsonParser.parseString(Files.readString(out.resolve("summary.json")))
                .getAsJsonObject();
        var t = summary.getAsJsonArray("teachers").get(0).getAsJsonObject();
        assertThat(t.get("teacher").getAsString()).isEqualTo("teacher");
        assertThat(t.get("split").getAsString()).isEqualTo("validation");
        assertThat(t.get("images").getAsInt()).isEqualTo(500);
        assertThat(t.get("top1").getAsDouble()).isGreaterThan(0.85);
    }
}
