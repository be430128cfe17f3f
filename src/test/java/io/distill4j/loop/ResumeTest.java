package io.distill4j.loop;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.distill4j.RunFiles;
import io.distill4j.config.ConfigLoader;
import io.distill4j.config.RunConfig;
import io.distill4j.run.Run;
import io.distill4j.runfolder.RunFolder;
import io.distill4j.runtime.Net;
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

import static org.assertj.core.api.Assertions.assertThat;

/** A run stopped mid-epoch and resumed ends with the same weights and metrics as an uninterrupted run. */
class ResumeTest {
    @TempDir
    Path dir;

    static final String CONFIG = """
            seed: 5
            data: {name: fashion-mnist-mini, train_subset: 384}
            networks:
              student: {arch: resnet8}
            train: {epochs: 2, batch_size: 64, eval_batch_size: 500, log_every: 1, threads: 1}
            optim: {lr: 0.05, schedule: cosine, warmup_epochs: 0.5}
            method: {name: baseline}
            """;

    static Path config(Path dir, String yaml) throws IOException {
        Path p = dir.resolve("cfg.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    static List<float[]> weights(Run run) {
        List<float[]> out = new ArrayList<>();
        for (Net n : run.nets()) {
            for (Pair<String, Parameter> p : n.block().getParameters()) {
                NDArray a = p.getValue().getArray();
                out.add(a.toFloatArray());
            }
        }
        return out;
    }

    /** Metrics lines without the timing field, which differs from run to run. */
    static List<float[]> train(Path cfgFile, Path out, boolean resume, Long stopAfter) {
        RunConfig cfg = ConfigLoader.load(cfgFile, List.of());
        try (Run run = Run.build(cfg)) {
            new RunFolder(run, out, new PrintStream(new ByteArrayOutputStream())).train(resume, stopAfter);
            return weights(run);
        }
    }

    @Test
    void resumeMidEpochEqualsUninterruptedRun() throws IOException {
        Path cfg = config(dir, CONFIG);
        List<float[]> straight = train(cfg, dir.resolve("a"), false, null);
        train(cfg, dir.resolve("b"), false, 4L); // 6 steps per epoch: stop inside epoch 1
        List<float[]> resumed = train(cfg, dir.resolve("b"), true, null);
        assertThat(resumed).hasSameSizeAs(straight);
        for (int i = 0; i < straight.size(); i++) {
            assertThat(resumed.get(i)).as("parameter %d", i).containsExactly(straight.get(i));
        }
        assertThat(RunFiles.metricsWithoutTiming(dir.resolve("b"))).isEqualTo(RunFiles.metricsWithoutTiming(dir.resolve("a")));
        assertThat(dir.resolve("b/summary.json")).exists();
        assertThat(Files.readString(dir.resolve("a/config.yaml"))).contains("train_subset: 384");
    }

    @Test
    void resumeAcrossAnEpochBoundaryToo() throws IOException {
        Path cfg = config(dir, CONFIG);
        List<float[]> straight = train(cfg, dir.resolve("a"), false, null);
        train(cfg, dir.resolve("c"), false, 6L); // exactly the end of epoch 1
        List<float[]> resumed = train(cfg, dir.resolve("c"), true, null);
        for (int i = 0; i < straight.size(); i++) {
            assertThat(resumed.get(i)).as("parameter %d", i).containsExactly(straight.get(i));
        }
        assertThat(RunFiles.metricsWithoutTiming(dir.resolve("c"))).isEqualTo(RunFiles.metricsWithoutTiming(dir.resolve("a")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"separate", "joint"})
    void dlbResumesMidEpochExactlyWithItsStoredBatch(String forward) throws IOException {
        Path cfg = config(dir, CONFIG.replace("method: {name: baseline}", "method: {name: dlb, dlb: {forward: " + forward + "}}"));
        List<float[]> straight = train(cfg, dir.resolve("a"), false, null);
        train(cfg, dir.resolve("d"), false, 3L);
        List<float[]> resumed = train(cfg, dir.resolve("d"), true, null);
        for (int i = 0; i < straight.size(); i++) {
            assertThat(resumed.get(i)).as("parameter %d", i).containsExactly(straight.get(i));
        }
        assertThat(RunFiles.metricsWithoutTiming(dir.resolve("d"))).isEqualTo(RunFiles.metricsWithoutTiming(dir.resolve("a")));
    }
}
