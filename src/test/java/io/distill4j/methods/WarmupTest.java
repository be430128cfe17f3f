package io.distill4j.methods;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.config.ConfigLoader;
import io.distill4j.loop.Stepper;
import io.distill4j.run.Run;
import io.distill4j.runfolder.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The warm-up of KD's and DKD's terms, by epoch (the reference's) and by step (this project's reading). */
class WarmupTest {
    @TempDir
    Path dir;

    @Test
    void byEpochIsTheReferencesFormulaAndByStepIsLinearFromNearZero() {
        // by epoch: min((e + 1) / W, 1), constant within an epoch; W = 1 is full weight from the first step
        assertThat(Warmup.weight(1, Warmup.By.EPOCH, 0, 0, 70)).isEqualTo(1.0);
        assertThat(Warmup.weight(20, Warmup.By.EPOCH, 0, 69, 70)).isEqualTo(1.0 / 20);
        assertThat(Warmup.weight(20, Warmup.By.EPOCH, 4, 300, 70)).isEqualTo(5.0 / 20);
        assertThat(Warmup.weight(20, Warmup.By.EPOCH, 19, 1399, 70)).isEqualTo(1.0);
        assertThat(Warmup.weight(20, Warmup.By.EPOCH, 30, 2100, 70)).isEqualTo(1.0);
        // by step over 5 epochs of 70 steps (350 steps): (s + 1) / 350
        assertThat(Warmup.weight(5, Warmup.By.STEP, 0, 0, 70)).isEqualTo(1.0 / 350);
        assertThat(Warmup.weight(5, Warmup.By.STEP, 2, 174, 70)).isEqualTo(0.5);
        assertThat(Warmup.weight(5, Warmup.By.STEP, 4, 349, 70)).isEqualTo(1.0);
        assertThat(Warmup.weight(1, Warmup.By.STEP, 0, 34, 70)).isEqualTo(0.5);
        assertThat(Warmup.weight(1, Warmup.By.STEP, 3, 250, 70)).isEqualTo(1.0);
        // none
        assertThat(Warmup.weight(0, Warmup.By.STEP, 0, 0, 70)).isEqualTo(1.0);
        assertThat(Warmup.weight(0, Warmup.By.EPOCH, 0, 0, 70)).isEqualTo(1.0);
    }

    private Run run(String method) throws IOException {
        Path cfg = Files.writeString(dir.resolve(method + ".yaml"), """
                seed: 2
                data: {name: fashion-mnist-mini, train_subset: 128}
                networks: {student: {arch: resnet8}}
                teachers: {teacher: {model: %s}}
                train: {epochs: 2, batch_size: 32, threads: 1}
                method: %s
                """.formatted(Path.of("models/fashion-mnist-teacher/teacher.pt").toAbsolutePath(), method));
        return Run.build(ConfigLoader.load(cfg, List.of()));
    }

    @Test
    void dkdsLoggedTermsFollowTheStepWarmupAndItsDiagnosticsAreLogged() throws IOException {
        // 128 images in batches of 32: 4 steps an epoch, warm-up over 2 epochs by step: weights 1/8, 2/8, 3/8, ...
        // The logged terms are already weighted: with the same student (same seed, same first batch) the step-0
        // term of the warm-up run is the unweighted run's times 1/8.
        Map<String, Float> warm;
        Map<String, Float> full;
        try (Run r = run("{name: dkd, dkd: {warmup: 2, warmup_by: step, diagnose_every: 1}}")) {
            warm = new Stepper(r).step();
        }
        try (Run r = run("{name: dkd, dkd: {warmup: 0}}")) {
            full = new Stepper(r).step();
        }
        // w * alpha * TCKD in float: (1/8 as float) times the same float TCKD, rounded once more
        assertThat(warm.get("student/tckd")).isEqualTo((float) (0.125f * full.get("student/tckd")));
        assertThat(warm.get("student/nckd")).isEqualTo((float) (0.125f * full.get("student/nckd")));
        assertThat(warm.get("student/ce")).isEqualTo(full.get("student/ce"));

        // the diagnostics: the training-mode top-1 of each step's batch and the weight, in metrics.jsonl
        Path out = dir.resolve("dkd-run");
        try (Run r = run("{name: dkd, dkd: {warmup: 2, warmup_by: step, diagnose_every: 1}}")) {
            new RunFolder(r, out, new PrintStream(OutputStream.nullOutputStream())).train(false, null);
        }
        List<JsonObject> diagnostics = Files.readAllLines(out.resolve("metrics.jsonl")).stream()
                .map(line -> JsonParser.parseString(line).getAsJsonObject())
                .filter(o -> o.get("event").getAsString().equals("diagnostic")).toList();
        assertThat(diagnostics).hasSize(8); // every step of 2 epochs of 4 steps
        for (int i = 0; i < 8; i++) {
            JsonObject d = diagnostics.get(i);
            assertThat(d.get("student/dkd_weight").getAsDouble()).isEqualTo((double) (float) ((i + 1) / 8.0));
            double top1 = d.get("student/train_mode_top1").getAsDouble();
            assertThat(top1 * 32).as("a count of 32 images").isEqualTo(Math.rint(top1 * 32)).isBetween(0.0, 32.0);
        }
    }

    @Test
    void kdWithoutAWarmupIsUnchangedAndWithOneScalesItsKlTerm() throws IOException {
        Map<String, Float> plain;
        Map<String, Float> zero;
        Map<String, Float> warm;
        try (Run r = run("{name: kd}")) {
            plain = new Stepper(r).step();
        }
        try (Run r = run("{name: kd, kd: {warmup: 0, warmup_by: step}}")) {
            zero = new Stepper(r).step();
        }
        try (Run r = run("{name: kd, kd: {warmup: 1, warmup_by: step}}")) {
            warm = new Stepper(r).step();
        }
        assertThat(zero).isEqualTo(plain);
        // step 0 of a one-epoch step warm-up with 4 steps an epoch: weight 1/4 on b = 0.9
        float b = 0.25f * 0.9f;
        float unweightedKl = plain.get("student/kd") / 0.9f; // the KL the default run weighted by 0.9
        assertThat(warm.get("student/kd")).isCloseTo(b * unweightedKl,
                // b * KL against (0.9 * KL) / 0.9 * b: two float roundings of a product, relative 2^-23 each
                within(4 * Math.ulp(b * unweightedKl)));
        assertThat(warm.get("student/ce")).isEqualTo(plain.get("student/ce"));
    }
}
