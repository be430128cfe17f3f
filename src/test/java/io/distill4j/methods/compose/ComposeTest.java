package io.distill4j.methods.compose;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.loop.Stepper;
import io.distill4j.run.Run;
import io.distill4j.runfolder.RunFolder;
import io.distill4j.runtime.Net;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

/**
 * The methods made of terms (kd, dkd, at, crd, fitnet, dist, nkd, wttm, ctkd) and the {@code compose} configs of the same terms give the
 * same run, step for step and bit for bit: every logged term and every parameter of every network the run
 * optimizes (regressor, CRD's heads). And {@code compose}'s checks, each one line before any data is read.
 */
class ComposeTest {
    @TempDir
    static Path dir;

    static String teacher;

    static final int STEPS = 5;

    static final String BASE = """
            seed: 3
            data: {name: fashion-mnist-mini, train_subset: 256, pad_crop: 2, flip: true}
            train: {epochs: 2, batch_size: 32, threads: 1}
            optim: {lr: 0.05}
            """;

    /** A method's section and the equivalent terms. */
    static final Map<String, String[]> PAIRS = Map.of(
            "kd", new String[] {"{name: kd, kd: {warmup: 2, warmup_by: step}}",
                "{name: compose, terms: [{loss: ce, weight: 0.1}, {loss: kd, weight: 0.9, warmup: 2, warmup_by: step}]}"},
            "kd-standardized", new String[] {"{name: kd, kd: {logit_standardization: true, temperature: 2}}",
                "{name: compose, terms: [{loss: ce, weight: 0.1}, {loss: kd, temperature: 2, "
                        + "logit_standardization: true}]}"},
            "dkd", new String[] {"{name: dkd, dkd: {warmup: 1}}",
                "{name: compose, terms: [{loss: ce}, {loss: dkd, warmup: 1}]}"},
            "at", new String[] {"{name: at}", "{name: compose, terms: [{loss: ce}, {loss: at}]}"},
            "crd", new String[] {"{name: crd, crd: {nce_k: 32, feat_dim: 16}}",
                "{name: compose, terms: [{loss: ce}, {loss: crd, nce_k: 32, feat_dim: 16}]}"},
            "fitnet", new String[] {"{name: fitnet}", "{name: compose, terms: [{loss: ce}, {loss: hint}]}"},
            "dist", new String[] {"{name: dist, dist: {temperature: 2}}",
                "{name: compose, terms: [{loss: ce}, {loss: dist, temperature: 2}]}"},
            "nkd", new String[] {"{name: nkd}", "{name: compose, terms: [{loss: nkd}, {loss: ce}]}"},
            "wttm", new String[] {"{name: wttm}", "{name: compose, terms: [{loss: ce}, {loss: wttm}]}"},
            "ctkd", new String[] {"{name: ctkd, ctkd: {curriculum_epochs: 1, curriculum_by: step}}",
                "{name: compose, terms: [{loss: ce, weight: 0.1}, {loss: ctkd, curriculum_epochs: 1, "
                        + "curriculum_by: step}]}"});

    @BeforeAll
    static void trainTeacher() throws IOException {
        Path cfg = dir.resolve("teacher.yaml");
        Files.writeString(cfg, BASE.replace("epochs: 2", "epochs: 1") + "networks: {t: {arch: resnet8x2}}\n");
        try (Run run = Run.build(ConfigLoader.load(cfg, List.of()))) {
            new RunFolder(run, dir.resolve("teacher"), new PrintStream(new ByteArrayOutputStream())).train(false, null);
        }
        teacher = "teachers: {t: {arch: resnet8x2, checkpoint: '" + dir.resolve("teacher/checkpoints/last.ckpt")
                + "'}}\n";
    }

    private static Run run(String method) throws IOException {
        Path cfg = Files.createTempFile(dir, "cfg", ".yaml");
        Files.writeString(cfg, BASE + "networks: {student: {arch: resnet8}}\n" + teacher + "method: " + method + "\n");
        return Run.build(ConfigLoader.load(cfg, List.of()));
    }

    /** Each step's logged terms, then every parameter of every optimized network. */
    private static List<Object> trace(String method) throws IOException {
        List<Object> out = new ArrayList<>();
        try (Run r = run(method)) {
            Stepper s = new Stepper(r);
            for (int i = 0; i < STEPS; i++) {
                out.add(s.step());
            }
            for (Net n : r.optimized()) {
                out.add(n.name());
                for (Pair<String, Parameter> p : n.block().getParameters()) {
                    out.add(List.of(p.getKey(), p.getValue().getArray().toFloatArray()));
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"kd", "kd-standardized", "dkd", "at", "crd", "fitnet", "dist", "nkd", "wttm", "ctkd"})
    void aMethodAndItsCompositionAreTheSameRun(String method) throws IOException {
        List<Object> a = trace(PAIRS.get(method)[0]);
        List<Object> b = trace(PAIRS.get(method)[1]);
        assertThat(b).hasSameSizeAs(a);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i)).as("%s, item %d", method, i).usingRecursiveComparison().isEqualTo(a.get(i));
        }
    }

    @Test
    void anUnknownTermIsNamedWithTheKnownOnes() {
        assertThatThrownBy(() -> run("{name: compose, terms: [{loss: ce}, {loss: kl}]}").close())
                .isInstanceOf(UserError.class).hasMessageContaining("method.terms[1].loss: unknown term 'kl' (known: "
                        + "ce, kd, dkd, hint, at, crd, dist, nkd, wttm, ctkd").hasMessageNotContaining("\n");
    }

    @Test
    void aTermsOptionOutOfRangeAnUnknownOptionATermTwiceAndNoTermsAreRefused() {
        assertThatThrownBy(() -> run("{name: compose, terms: [{loss: kd, temperature: 0}]}").close())
                .isInstanceOf(UserError.class).hasMessageContaining("method.terms[0].temperature");
        assertThatThrownBy(() -> run("{name: compose, terms: [{loss: kd, temprature: 2}]}").close())
                .isInstanceOf(UserError.class).hasMessageContaining("method.terms[0].temprature");
        assertThatThrownBy(() -> run("{name: compose, terms: [{loss: ce}, {loss: ce, weight: 2}]}").close())
                .isInstanceOf(UserError.class).hasMessageContaining("method.terms[1].loss: ce is already "
                        + "method.terms[0].loss");
        assertThatThrownBy(() -> run("{name: compose, terms: []}").close())
                .isInstanceOf(UserError.class).hasMessageContaining("method.terms: is empty");
        assertThatThrownBy(() -> run("{name: kd, terms: [{loss: ce}]}").close())
                .isInstanceOf(UserError.class).hasMessageContaining("method.terms: lists the terms of method compose");
    }

    @Test
    void aTermThatReadsATeacherNeedsOne() throws IOException {
        Path cfg = dir.resolve("no-teacher.yaml");
        Files.writeString(cfg, BASE + "networks: {student: {arch: resnet8}}\n"
                + "method: {name: compose, terms: [{loss: ce}, {loss: at}]}\n");
        assertThatThrownBy(() -> Run.build(ConfigLoader.load(cfg, List.of())).close())
                .isInstanceOf(UserError.class).hasMessageContaining("method.terms[1].loss: at reads a teacher");
    }
}
