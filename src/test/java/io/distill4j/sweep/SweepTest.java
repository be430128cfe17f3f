package io.distill4j.sweep;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.ConsoleCapture;
import io.distill4j.RunFiles;
import io.distill4j.UserError;
import io.distill4j.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A sweep expands as documented, validates every run first, and an interrupted sweep continues exactly. */
class SweepTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    private static final String BASE = """
            seed: 0
            data: {name: fashion-mnist-mini, train_subset: 128, pad_crop: 2, flip: true}
            networks: {student: {arch: resnet8}}
            train: {epochs: 2, batch_size: 64, threads: 1, log_every: 1}
            optim: {lr: 0.05}
            method: {name: dlb}
            """;

    private Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private Path sweepFile(String body) throws IOException {
        Path base = write("base.yaml", BASE);
        return write("sweep.yaml", "base: " + base + "\nout: " + dir.resolve("out") + "\n" + body);
    }

    @Test
    void expandsVariantsTimesAxesSeedBySeedWithRestrictionsAndAComputeMatchedReference() throws IOException {
        Path f = sweepFile("""
                seeds: [0, 1]
                axes:
                  labels: {clean: {}, noisy: {data.label_noise: 0.2}}
                  train.batch_size: [32, 64]
                variants:
                  baseline: {method.name: baseline}
                  dlb: {only: {labels: [clean]}}
                compute_matched: {variant: baseline, factor: 2.5}
                """);
        SweepPlan plan = SweepPlan.expand(SweepSpec.read(f, null));
        List<String> names = plan.runs().stream().map(SweepPlan.PlannedRun::name).toList();
        // baseline: 2 labels x 2 batch sizes; dlb: clean only; the compute-matched baseline like the baseline
        assertThat(names).hasSize(2 * (4 + 2 + 4));
        assertThat(names.subList(0, 10)).allMatch(n -> n.endsWith("-seed0"));
        assertThat(names).contains("baseline-noisy-batch_size32-seed1", "dlb-clean-batch_size64-seed0",
                "baseline-x2.5-clean-batch_size32-seed0").doesNotContain("dlb-noisy-batch_size32-seed0");
        SweepPlan.PlannedRun cm = plan.runs().stream().filter(r -> r.name().equals("baseline-x2.5-clean-batch_size32-seed1"))
                .findFirst().orElseThrow();
        assertThat(cm.computeMatched()).isTrue();
        assertThat(cm.resolved()).contains("epochs: 5").contains("name: baseline").contains("seed: 1");
        SweepPlan.PlannedRun noisy = plan.runs().stream().filter(r -> r.name().equals("baseline-noisy-batch_size64-seed1"))
                .findFirst().orElseThrow();
        assertThat(noisy.overrides()).containsExactly("method.name=baseline", "data.label_noise=0.2",
                "train.batch_size=64", "seed=1");
        assertThat(noisy.resolved()).contains("label_noise: 0.2").contains("batch_size: 64");
        assertThat(noisy.dir()).isEqualTo(dir.resolve("out").resolve(noisy.name()));
    }

    @Test
    void everyRunIsValidatedBeforeAnyStarts() throws IOException {
        Path f = sweepFile("""
                variants:
                  baseline: {method.name: baseline}
                  typo: {method.dlb.alpah: 2}
                """);
        assertThatThrownBy(() -> SweepPlan.expand(SweepSpec.read(f, null))).isInstanceOf(UserError.class)
                .hasMessageContaining("sweep.yaml: run typo-seed0").hasMessageContaining("alpah");
        Path g = sweepFile("variants: {a: {only: {labels: [x]}}}\n");
        assertThatThrownBy(() -> SweepSpec.read(g, null)).isInstanceOf(UserError.class)
                .hasMessageContaining("variants.a.only: no axis 'labels'");
        Path h = sweepFile("reference: kd\nvariants: {baseline: {}}\n");
        assertThatThrownBy(() -> SweepSpec.read(h, null)).hasMessageContaining("reference: no variant 'kd'");
        assertThat(Main.execute("sweep", g.toString())).isEqualTo(2);
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void filesAPreparationStepWritesNeedNotExistWhenTheSweepIsPlanned() throws IOException {
        Path prepared = dir.resolve("prepared");
        String kd = "variants:\n  kd: {method.name: kd, teachers.t.model: " + prepared.resolve("teacher.pt") + "}\n";
        assertThatThrownBy(() -> SweepPlan.expand(SweepSpec.read(sweepFile(kd), null)))
                .isInstanceOf(UserError.class).hasMessageContaining("teacher.pt is not found");
        SweepPlan plan = SweepPlan.expand(SweepSpec.read(sweepFile("prepared: [" + prepared + "]\n" + kd), null));
        assertThat(plan.runs()).hasSize(1);
        assertThatThrownBy(() -> SweepSpec.read(sweepFile("prepared: " + prepared + "\n" + kd), null))
                .isInstanceOf(UserError.class).hasMessageContaining("prepared: needs a list of paths");
    }

    @Test
    void aRunOfBeforeIsReferencedByName() throws IOException {
        Path f = sweepFile("""
                before:
                  teacher: {method.name: baseline, seed: 5}
                variants:
                  kd: {method.name: kd, teachers.t.arch: resnet8, teachers.t.checkpoint: "${teacher}/checkpoints/best.ckpt",
                       train.teacher_outputs: "${run}/teacher-outputs.bin"}
                """);
        SweepPlan plan = SweepPlan.expand(SweepSpec.read(f, null)); // the checkpoint does not exist yet: allowed
        assertThat(plan.beforeRuns()).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("teacher");
            assertThat(r.seed()).isEqualTo(5);
        });
        assertThat(plan.mainRuns().get(0).overrides()).contains("teachers.t.checkpoint="
                + dir.resolve("out").resolve("teacher") + "/checkpoints/best.ckpt");
        assertThat(plan.mainRuns()).isNotEmpty().allSatisfy(r -> assertThat(r.overrides()) // ${run}: its own folder
                .contains("train.teacher_outputs=" + dir.resolve("out").resolve(r.name()) + "/teacher-outputs.bin"));
        Path named = sweepFile("before:\n  run: {method.name: baseline}\nvariants:\n  b: {method.name: baseline}\n");
        assertThatThrownBy(() -> SweepSpec.read(named, null)).isInstanceOf(UserError.class)
                .hasMessageContaining("may not be named 'run'");
    }

    /**
     * A sweep interrupted with one run finished and one half done: run again (two at a time, as processes), the
     * finished run is left alone, the half-done one resumes from its checkpoint and ends exactly as an
     * uninterrupted run, and the rest train; the manifest lists every run.
     */
    @Test
    void anInterruptedSweepContinuesExactly() throws IOException {
        Path f = sweepFile("""
                seeds: [0, 1]
                variants:
                  baseline: {method.name: baseline}
                  dlb: {}
                """);
        SweepPlan plan = SweepPlan.expand(SweepSpec.read(f, null));
        SweepPlan.PlannedRun finished = plan.runs().get(0);
        SweepPlan.PlannedRun half = plan.runs().get(1);
        assertThat(finished.name()).isEqualTo("baseline-seed0");
        assertThat(half.name()).isEqualTo("dlb-seed0");
        assertThat(Main.execute(trainArgs(finished, finished.dir(), null))).isZero();
        assertThat(Main.execute(trainArgs(half, half.dir(), 3L))).isZero();
        assertThat(Main.execute(trainArgs(half, dir.resolve("straight"), null))).isZero();
        String finishedSummary = Files.readString(finished.dir().resolve("summary.json"));
        assertThat(half.dir().resolve("summary.json")).doesNotExist();

        console.resetOut();
        // two at a time where the test JVM has two cores (DISTILL4J_THREADS=1 bin/test gives it one)
        int cores = Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
        int parallel = Math.min(2, cores);
        int code = Main.execute("sweep", f.toString(), "--parallel", Integer.toString(parallel));
        assertThat(code).as(console.out() + console.err()).isZero();
        String text = console.out();
        assertThat(text).contains("baseline-seed0: finished before: skipped").contains("dlb-seed0: resuming from its "
                + "checkpoint").contains("with " + Math.max(1, cores / parallel) + " threads each");
        assertThat(Files.readString(finished.dir().resolve("summary.json"))).isEqualTo(finishedSummary);
        assertThat(Files.readString(dir.resolve("out/logs/dlb-seed0.log"))).contains("resumed at step 3");
        assertThat(RunFiles.metricsWithoutTiming(half.dir())).isEqualTo(RunFiles.metricsWithoutTiming(dir.resolve("straight")));
        for (SweepPlan.PlannedRun r : plan.runs()) {
            assertThat(r.dir().resolve("summary.json")).exists();
        }
        JsonObject m = JsonParser.parseString(Files.readString(dir.resolve("out/manifest.json"))).getAsJsonObject();
        assertThat(m.get("reference").getAsString()).isEqualTo("baseline");
        assertThat(m.getAsJsonArray("runs")).hasSize(4);
        assertThat(m.getAsJsonObject("versions").get("djl").getAsString()).isEqualTo("0.35.1");
        assertThat(m.getAsJsonObject("versions").get("pytorch").getAsString()).startsWith("2.7");
        assertThat(m.getAsJsonObject("machine").get("cores").getAsInt()).isPositive();
        JsonObject run = m.getAsJsonArray("runs").get(3).getAsJsonObject();
        assertThat(run.get("name").getAsString()).isEqualTo("dlb-seed1");
        assertThat(run.get("variant").getAsString()).isEqualTo("dlb");
        assertThat(run.get("seed").getAsInt()).isEqualTo(1);

        // run again: nothing left to do; a changed sweep does not touch the runs of the old one
        console.resetOut();
        assertThat(Main.execute("sweep", f.toString())).isZero();
        assertThat(console.out()).contains("[4/4] dlb-seed1: finished before: skipped");
        Files.writeString(dir.resolve("base.yaml"), BASE.replace("lr: 0.05", "lr: 0.1"));
        console.resetErr();
        assertThat(Main.execute("sweep", f.toString())).isEqualTo(2);
        assertThat(console.err()).contains("holds a run of another config");
    }

    @Test
    void shardsSplitTheRunsAndParallelismIsBoundedByTheCores() throws IOException {
        Path f = sweepFile("seeds: [0, 1, 2]\nvariants: {a: {method.name: baseline}, b: {}}\n");
        SweepPlan plan = SweepPlan.expand(SweepSpec.read(f, null));
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            new SweepRunner(plan, new SweepRunner.Options(1, 2, i, 3, "Main"), System.out).shardRuns()
                    .forEach(r -> all.add(r.name()));
        }
        assertThat(all).containsExactlyInAnyOrderElementsOf(plan.mainRuns().stream().map(SweepPlan.PlannedRun::name).toList());
        assertThatThrownBy(() -> new SweepRunner.Options(3, 2, 0, 1, "Main")).hasMessageContaining("give at most 2");
        assertThat(new SweepRunner.Options(2, 5, 0, 1, "Main").threadsPerRun()).isEqualTo(2);
    }

    private static String[] trainArgs(SweepPlan.PlannedRun r, Path out, Long stopAfter) {
        List<String> a = new ArrayList<>(List.of("train", "-c", r.config().toString()));
        r.overrides().forEach(o -> a.addAll(List.of("--set", o)));
        a.addAll(List.of("-o", out.toString()));
        if (stopAfter != null) {
            a.addAll(List.of("--stop-after-steps", stopAfter.toString()));
        }
        return a.toArray(String[]::new);
    }
}
