package io.distill4j.foreign;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.export.ScriptedExport;
import io.distill4j.loop.Stepper;
import io.distill4j.run.Run;
import io.distill4j.runfolder.RunFolder;
import io.distill4j.runtime.Net;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A student scripted in PyTorch ({@code tools/make_scripted_students.py}: a small CNN with BatchNorm and dropout)
 * trained by distill4j's KD from the shipped TorchScript teacher: it learns, a run stopped at a random step and
 * resumed ends with the same parameters, the same running statistics (inference-mode logits) and the same metrics
 * as an uninterrupted run, and every module distill4j cannot train is refused in one line before any data is read or
 * before the first step.
 */
class ScriptedStudentTest {
    static final Path STUDENTS = Path.of("src/test/resources/io/distill4j/students");

    @TempDir
    Path dir;

    static String config(String student, String method) {
        return """
                seed: 5
                data: {name: fashion-mnist-mini, train_subset: 320, validation: 200}
                networks: {student: {model: '%s'}}
                teachers: {teacher: {model: '%s'}}
                train: {epochs: 2, batch_size: 32, eval_batch_size: 500, log_every: 1, threads: 1}
                optim: {lr: 0.05, momentum: 0.9, weight_decay: 5.0e-4, schedule: cosine}
                method: %s
                """.formatted(STUDENTS.resolve(student).toAbsolutePath(),
                Path.of("models/fashion-mnist-teacher/teacher.pt").toAbsolutePath(), method);
    }

    /** Every optimized parameter, then the student's inference-mode logits of fixed images (its running statistics). */
    static List<float[]> train(Path cfg, Path out, boolean resume, Long stopAfter) {
        try (Run run = Run.build(ConfigLoader.load(cfg, List.of()))) {
            new RunFolder(run, out, new PrintStream(new ByteArrayOutputStream())).train(resume, stopAfter);
            List<float[]> w = new ArrayList<>();
            for (Net n : run.optimized()) {
                for (Pair<String, Parameter> p : n.block().getParameters()) {
                    w.add(p.getValue().getArray().toFloatArray());
                }
            }
            try (NDManager m = run.manager().newSubManager()) {
                NDArray x = m.arange(2f * 28 * 28).reshape(new Shape(2, 1, 28, 28)).div(2f * 28 * 28);
                w.add(run.nets().get(0).logits(x, false).toFloatArray());
            }
            return w;
        }
    }

    private static List<String> metrics(Path out) throws IOException {
        return Files.readAllLines(out.resolve("metrics.jsonl")).stream()
                .map(l -> l.replaceAll("\"(images_per_sec|seconds)\":[0-9.Ee+-]+", "")).toList();
    }

    @Test
    void learnsWithKdAndResumesExactly() throws IOException {
        Path cfg = dir.resolve("kd.yaml");
        Files.writeString(cfg, config("student.pt", "{name: kd}"));
        List<float[]> whole = train(cfg, dir.resolve("whole"), false, null);
        List<float[]> stopped = train(cfg, dir.resolve("resumed"), false, 7L);
        assertThat(stopped.get(0)).as("stopped early: not yet the end").isNotEqualTo(whole.get(0));
        List<float[]> resumed = train(cfg, dir.resolve("resumed"), true, null);
        assertThat(resumed).hasSameSizeAs(whole);
        for (int i = 0; i < whole.size(); i++) {
            assertThat(resumed.get(i)).as("item %d (the last: inference-mode logits)", i).isEqualTo(whole.get(i));
        }
        assertThat(metrics(dir.resolve("resumed"))).isEqualTo(metrics(dir.resolve("whole")));
        String summary = Files.readString(dir.resolve("whole/summary.json"));
        assertThat(summary).contains("torchscript:student.pt");
    }

    @Test
    void exportedAsTorchScriptItGivesTheTrainedStudentsLogitsAndItsCardSaysWhoNormalises() throws IOException {
        Path cfg = dir.resolve("kd1.yaml");
        Files.writeString(cfg, config("student.pt", "{name: kd}").replace("epochs: 2", "epochs: 1"));
        float[] trained;
        NDArray x;
        try (Run run = Run.build(ConfigLoader.load(cfg, List.of()));
             NDManager m = NDManager.newBaseManager()) {
            new RunFolder(run, dir.resolve("run"), new PrintStream(new ByteArrayOutputStream())).train(false, null);
            x = m.randomNormal(new Shape(5, 1, 28, 28));
            trained = run.nets().get(0).logits(x.toDevice(run.manager().getDevice(), true), false).toFloatArray();
            ScriptedExport.export(dir.resolve("run/checkpoints/last.ckpt"), null, dir.resolve("exported"), false);
            try (TorchScriptModel exported = TorchScriptModel.load(dir.resolve("exported/model.pt"),
                    Device.cpu())) {
                assertThat(exported.forward(x).toFloatArray()).as("the same module, kernels and thread count")
                        .isEqualTo(trained);
            }
        }
        String card = Files.readString(dir.resolve("exported/distill4j-model.json"));
        assertThat(card).contains("\"applied\": \"by the caller\"").contains("\"T-shirt/top\"")
                .contains("torchscript:student.pt");
        assertThatThrownBy(() -> ScriptedExport.export(dir.resolve("run/checkpoints/last.ckpt"), null,
                dir.resolve("exported"), false)).isInstanceOf(UserError.class).hasMessageContaining("exists");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{name: baseline}", "{name: dkd, dkd: {warmup: 1, warmup_by: step}}",
        "{name: meal-v2}", "{name: dlb}", "{name: dist}", "{name: nkd}", "{name: wttm}",
        "{name: mlkd, mlkd: {warmup: 1, warmup_by: step}}", "{name: ctkd}",
        "{name: compose, terms: [{loss: ce, weight: 0.1}, {loss: kd}, {loss: dist}]}"})
    void everyLogitMethodTrainsIt(String method) throws IOException {
        Path cfg = dir.resolve("m.yaml");
        Files.writeString(cfg, config("student.pt", method).replace("epochs: 2", "epochs: 1"));
        try (Run run = Run.build(ConfigLoader.load(cfg, List.of()))) {
            Stepper s = new Stepper(run);
            float[] before = run.nets().get(0).block().getParameters().get(0).getValue().getArray().toFloatArray();
            for (int i = 0; i < 3; i++) {
                s.step().values().forEach(v -> assertThat(v).as(method).isFinite());
            }
            assertThat(run.nets().get(0).block().getParameters().get(0).getValue().getArray().toFloatArray())
                    .as("%s moves the module's parameters", method).isNotEqualTo(before);
        }
    }

    @Test
    void dmlTrainsTwoScriptedPeers() throws IOException {
        Path cfg = dir.resolve("dml.yaml");
        String peer = STUDENTS.resolve("student.pt").toAbsolutePath().toString();
        Files.writeString(cfg, config("student.pt", "{name: dml}").replace("epochs: 2", "epochs: 1")
                .replaceFirst("networks: \\{student: \\{model: '[^']*'}}", "networks: {p1: {model: '" + peer
                        + "'}, p2: {model: '" + peer + "'}}").replaceFirst("teachers: .*\n", ""));
        try (Run run = Run.build(ConfigLoader.load(cfg, List.of()))) {
            Stepper s = new Stepper(run);
            for (int i = 0; i < 3; i++) {
                assertThat(s.step()).containsKeys("p1/ce", "p2/ce");
            }
        }
    }

    @Test
    void twoRunsOfOneSeedDrawTheSameDropout() throws IOException {
        Path cfg = dir.resolve("baseline.yaml");
        Files.writeString(cfg, config("student.pt", "{name: baseline}").replace("epochs: 2", "epochs: 1"));
        assertThat(train(cfg, dir.resolve("a"), false, null).get(0))
                .isEqualTo(train(cfg, dir.resolve("b"), false, null).get(0));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "traced.pt|a module made by torch.jit.trace: its code runs batch_norm in the mode it was traced in",
        "frozen.pt|the module has no trainable parameter",
        "wrong-output.pt|is (2, 7), expected (2, 10)",
        "double.pt|is float64, distill4j trains float32"})
    void aModuleDistill4jCannotTrainIsRefusedInOneLine(String file, String expected) throws IOException {
        Path cfg = dir.resolve("bad.yaml");
        Files.writeString(cfg, config(file, "{name: kd}"));
        assertThatThrownBy(() -> Run.build(ConfigLoader.load(cfg, List.of())).close())
                .isInstanceOf(UserError.class).hasMessageContaining(file).hasMessageContaining(expected)
                .hasMessageContaining("networks.student.model").hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{name: at}|at needs the student's stage maps",
        "{name: mkf}|mkf needs residual sub-networks to drop",
        "{name: compose, terms: [{loss: ce}, {loss: hint}]}|compose's term hint needs the student's features"})
    void aMethodThatNeedsMoreThanLogitsIsRefusedBeforeAnyDataIsRead(String method, String expected)
            throws IOException {
        Path cfg = dir.resolve("method.yaml");
        Files.writeString(cfg, config("student.pt", method));
        assertThatThrownBy(() -> Run.validate(ConfigLoader.load(cfg, List.of()), p -> true))
                .isInstanceOf(UserError.class).hasMessageContaining("networks.student.model: " + expected);
    }

    @Test
    void aCardBesideTheModuleMustAgreeWithTheData() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("carded"));
        Files.copy(STUDENTS.resolve("student.pt"), folder.resolve("student.pt"));
        String names = "[\"T-shirt/top\", \"Trouser\", \"Pullover\", \"Dress\", \"Coat\", \"Sandal\", \"Shirt\", "
                + "\"Sneaker\", \"Bag\", \"Ankle boot\"]";
        Path cfg = dir.resolve("carded.yaml");
        Files.writeString(cfg, config("student.pt", "{name: kd}").replace(STUDENTS.resolve("student.pt")
                .toAbsolutePath().toString(), folder.resolve("student.pt").toString()).replace("epochs: 2", "epochs: 1"));
        Files.writeString(folder.resolve("distill4j-model.json"), "{\"class_names\": " + names + ", \"input\": "
                + "{\"channels\": 1, \"height\": 28, \"width\": 28}, \"normalization\": {\"mean\": [0.286], "
                + "\"std\": [0.353], \"applied\": \"by the caller\"}}");
        Run.build(ConfigLoader.load(cfg, List.of())).close(); // agrees: builds
        Files.writeString(folder.resolve("distill4j-model.json"), "{\"class_names\": "
                + names.replace("Trouser", "Trousers") + "}");
        assertThatThrownBy(() -> Run.build(ConfigLoader.load(cfg, List.of())).close()).isInstanceOf(UserError.class)
                .hasMessageContaining("class_names: class 1 is 'Trousers' on the card and 'Trouser' in the data");
        Files.writeString(folder.resolve("distill4j-model.json"), "{\"input\": {\"channels\": 3}}");
        assertThatThrownBy(() -> Run.build(ConfigLoader.load(cfg, List.of())).close()).isInstanceOf(UserError.class)
                .hasMessageContaining("the run's images are 1x28x28");
        Files.writeString(folder.resolve("distill4j-model.json"), "{\"normalization\": {\"mean\": [0.5], "
                + "\"std\": [0.5], \"applied\": \"inside the model\"}}");
        assertThatThrownBy(() -> Run.build(ConfigLoader.load(cfg, List.of())).close()).isInstanceOf(UserError.class)
                .hasMessageContaining("normalises inside");
    }

    @Test
    void aTracedModuleIsToldFromAScriptedOneByItsCode() {
        assertThat(ScriptedStudent.tracedModeOps(STUDENTS.resolve("traced.pt"))).isEqualTo("batch_norm");
        assertThat(ScriptedStudent.tracedModeOps(STUDENTS.resolve("student.pt"))).isNull();
    }
}
