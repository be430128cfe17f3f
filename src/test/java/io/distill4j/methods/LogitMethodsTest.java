package io.distill4j.methods;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.distill4j.config.ConfigLoader;
import io.distill4j.loop.Stepper;
import io.distill4j.run.Run;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The logit methods (dist, nkd, wttm, ctkd) and logit standardisation (kd, dkd) with their distillation terms weighted 0
 * are the baseline, step for step: the same cross-entropy each step and the same weights after, bit for bit (a
 * term times 0 adds an exact 0 to every gradient). The teacher is the shipped TorchScript CNN; the student a resnet8
 * on the embedded Fashion-MNIST subset, which the baseline starts from the same weights (the teacher is built after
 * the student).
 */
class LogitMethodsTest {
    @TempDir
    static Path dir;

    static final int STEPS = 4;
    static List<Float> baselineLosses;
    static List<float[]> baselineWeights;

    static final String BASE = """
            seed: 2
            data: {name: fashion-mnist-mini, train_subset: 256}
            networks: {student: {arch: resnet8}}
            train: {epochs: 1, batch_size: 64, threads: 1}
            optim: {lr: 0.05}
            """;

    static final Map<String, String> ZERO_WEIGHT = Map.of(
            "kd-standardized", "{name: kd, kd: {logit_standardization: true, temperature: 2, ce_weight: 1, "
                    + "kd_weight: 0}}",
            "dkd-standardized", "{name: dkd, dkd: {logit_standardization: true, alpha: 0, beta: 0, warmup: 0}}",
            "dist", "{name: dist, dist: {beta: 0, gamma: 0}}",
            "nkd", "{name: nkd, nkd: {target_weight: 0, gamma: 0}}",
            "wttm", "{name: wttm, wttm: {beta: 0}}",
            "ctkd", "{name: ctkd, ctkd: {ce_weight: 1, kd_weight: 0}}");

    static Run run(String yaml) throws IOException {
        Path p = Files.createTempFile(dir, "cfg", ".yaml");
        Files.writeString(p, yaml);
        return Run.build(ConfigLoader.load(p, List.of()));
    }

    static List<float[]> weights(Run r) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : r.nets().get(0).block().getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    @BeforeAll
    static void baseline() throws IOException {
        baselineLosses = new ArrayList<>();
        try (Run r = run(BASE + "method: {name: baseline}\n")) {
            Stepper s = new Stepper(r);
            for (int i = 0; i < STEPS; i++) {
                baselineLosses.add(s.step().get("student/ce"));
            }
            baselineWeights = weights(r);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kd-standardized", "dkd-standardized", "dist", "nkd", "wttm", "ctkd"})
    void withoutItsDistillationTermsTheMethodIsTheBaselineStepForStep(String method) throws IOException {
        String teacher = "teachers: {teacher: {model: '"
                + Path.of("models/fashion-mnist-teacher/teacher.pt").toAbsolutePath() + "'}}\n";
        List<Float> losses = new ArrayList<>();
        try (Run r = run(BASE + teacher + "method: " + ZERO_WEIGHT.get(method) + "\n")) {
            Stepper s = new Stepper(r);
            for (int i = 0; i < STEPS; i++) {
                Map<String, Float> l = s.step();
                losses.add(l.get("student/ce"));
                for (Map.Entry<String, Float> e : l.entrySet()) {
                    assertThat(e.getValue()).as("%s step %d: %s", method, i, e.getKey()).isFinite();
                }
            }
            assertThat(losses).as(method).isEqualTo(baselineLosses);
            List<float[]> w = weights(r);
            assertThat(w).hasSameSizeAs(baselineWeights);
            for (int i = 0; i < w.size(); i++) {
                assertThat(w.get(i)).as("%s parameter %d", method, i).containsExactly(baselineWeights.get(i));
            }
        }
    }
}
