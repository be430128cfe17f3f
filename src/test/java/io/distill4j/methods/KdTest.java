package io.distill4j.methods;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.models.ModelRegistry;
import io.distill4j.models.Network;
import io.distill4j.training.Checkpoint;
import io.distill4j.training.Checkpoints;
import io.distill4j.training.Net;
import io.distill4j.training.Run;
import io.distill4j.training.Trainer;
import org.junit.jupiter.api.BeforeAll;
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

class KdTest {
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

    @BeforeAll
    static void trainTeacher() throws IOException {
        try (Run r = run(BASE.replace("arch: resnet8", "arch: resnet14"))) {
            new Trainer(r, dir.resolve("teacher"), new PrintStream(new ByteArrayOutputStream())).train(false, null);
        }
        teacherCkpt = dir.resolve("teacher/checkpoints/last.ckpt");
    }

    static String kd(String options) {
        return BASE + "teachers: {t: {arch: resnet14, checkpoint: '" + teacherCkpt + "'}}\n"
                + "method: {name: kd" + options + "}\n";
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
            Net teacher = r.teachers().get(0);
            List<float[]> before = values(teacher);
            Trainer.StepDriver d = new Trainer(r, dir.resolve("o1"), System.err).driver();
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
            Trainer.StepDriver d = new Trainer(r, dir.resolve("o2"), System.err).driver();
            for (int i = 0; i < 4; i++) {
                kdLosses.add(d.step().get("student/ce"));
            }
            viaKd = values(r.nets().get(0));
        }
        List<Float> baseLosses = new ArrayList<>();
        try (Run r = run(BASE + "method: {name: baseline}\n")) {
            Trainer.StepDriver d = new Trainer(r, dir.resolve("o3"), System.err).driver();
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
}
