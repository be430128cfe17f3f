package io.distill4j.training;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonParser;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.knowledge.ForeignTeacher;
import io.distill4j.runtime.Net;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * KD from the teacher that the README's main job distils (trained in PyTorch, shipped as TorchScript and ONNX in
 * {@code models/fashion-mnist-teacher/} with its model card): the two files make the same KD steps within float
 * tolerance, the teacher is scored before the first step, and its contract comes from the card.
 */
class ForeignTeacherRunTest {
    static final Path TEACHER = Path.of("models/fashion-mnist-teacher");

    @TempDir
    Path dir;

    private Run kd(String file) throws IOException {
        Path cfg = dir.resolve("kd-" + file + ".yaml");
        Files.writeString(cfg, """
                seed: 4
                data: {name: fashion-mnist-mini, train_subset: 128, pad_crop: 2, flip: true}
                networks: {student: {arch: resnet8}}
                teachers: {teacher: {model: MODEL}}
                train: {epochs: 1, batch_size: 32, threads: 1}
                optim: {lr: 0.1}
                method: {name: kd}
                """.replace("MODEL", TEACHER.resolve(file).toAbsolutePath().toString()));
        return Run.build(ConfigLoader.load(cfg, List.of()));
    }

    @Test
    void torchScriptAndOnnxFilesOfOneTeacherMakeTheSameKdSteps() throws IOException {
        List<Map<String, Float>> losses = new ArrayList<>();
        List<List<float[]>> weights = new ArrayList<>();
        for (String file : List.of("teacher.pt", "teacher.onnx")) {
            try (Run run = kd(file)) {
                ForeignTeacher t = (ForeignTeacher) run.teachers().get(0);
                assertThat(t.model().runtime()).isEqualTo(file.endsWith(".pt") ? "torchscript" : "onnxruntime");
                assertThat(t.contract().normalizedInside()).as("the card: normalised by the caller").isFalse();
                assertThat(run.teacherScores()).hasSize(1);
                assertThat((double) run.teacherScores().get(0).get("top1")).as("a trained teacher").isGreaterThan(0.85);
                Stepper s = new Stepper(run);
                Map<String, Float> all = new LinkedHashMap<>();
                for (int i = 0; i < 3; i++) {
                    Map<String, Float> step = s.step();
                    step.forEach((k, v) -> all.put(k + "@" + all.size(), v));
                }
                losses.add(all);
                List<float[]> w = new ArrayList<>();
                for (Net n : run.optimized()) {
                    for (Pair<String, Parameter> p : n.block().getParameters()) {
                        w.add(p.getValue().getArray().toFloatArray());
                    }
                }
                weights.add(w);
            }
        }
        assertThat(losses.get(1).keySet()).isEqualTo(losses.get(0).keySet());
        losses.get(0).forEach((k, v) -> assertThat(losses.get(1).get(k)).as(k).isCloseTo(v, within(1e-4f)));
        for (int i = 0; i < weights.get(0).size(); i++) {
            float[] a = weights.get(0).get(i);
            float[] b = weights.get(1).get(i);
            for (int j = 0; j < a.length; j++) {
                assertThat(b[j]).as("parameter %d[%d]", i, j).isCloseTo(a[j], within(1e-4f));
            }
        }
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
