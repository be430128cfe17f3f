package io.distill4j.cli;

import io.distill4j.ConsoleCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code distill4j bench}: its modes run from the command line and print their tables; bad input is one line. */
class BenchCommandTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @Test
    void methodsAreTimedOnTheConfigAnOnlineOneWithASecondPeer() throws IOException {
        Path c = Files.writeString(dir.resolve("c.yaml"), """
                seed: 1
                data: {name: fashion-mnist-mini, train_subset: 256}
                networks: {student: {arch: resnet8}}
                train: {epochs: 1, batch_size: 32, threads: 1}
                """);
        assertThat(Main.execute("bench", "-c", c.toString(), "--methods", "baseline,dml", "--steps", "2",
                "--warmup", "1", "--rounds", "1")).as(console.err()).isZero();
        assertThat(console.out()).containsPattern("round 1  baseline +[0-9.]+ images/s")
                .containsPattern("round 1  dml +[0-9.]+ images/s")
                .contains("median of 1 alternating rounds, 2 steps after 1 warm-up, batch 32, network resnet8")
                .containsPattern("dml +[0-9.]+ images/s   cost per image relative to baseline [0-9.]+")
                .contains("where a step's time goes");
    }

    @Test
    void aTrainedNetworkIsTimedInEachRuntime() throws IOException {
        Path c = Files.writeString(dir.resolve("c.yaml"), """
                seed: 1
                data: {name: fashion-mnist-mini, train_subset: 128}
                networks: {student: {arch: resnet8}}
                train: {epochs: 1, batch_size: 64, threads: 1}
                """);
        Path run = dir.resolve("run");
        assertThat(Main.execute("train", "-c", c.toString(), "-o", run.toString())).as(console.err()).isZero();
        console.resetOut();
        assertThat(Main.execute("bench", "--inference", run.toString(), "--rounds", "1", "--batch-sizes", "2",
                "--seconds", "0.05", "--warmup", "1")).as(console.err()).isZero();
        assertThat(console.out()).containsPattern("onnxruntime +max \\|logit - distill4j's\\| over 2 images")
                .contains("best of 1 rounds").containsPattern("2 +djl +[0-9.]+ +[0-9.]+x");
    }

    @Test
    void theFractionSolversAreTimedAgainstLinear() {
        assertThat(Main.execute("bench", "-c", "unused.yaml", "--fraction", "10", "--rounds", "1", "--steps", "4"))
                .as(console.err()).isZero();
        assertThat(console.out()).contains("best of 1 rounds, 10 classes, batch 64:")
                .containsPattern("linear +[0-9.]+ us per batch   ratio to linear 1.000")
                .containsPattern("exact +[0-9.]+ us per batch");
    }

    @Test
    void badInputIsOneLine() {
        assertThat(Main.execute("bench", "--fraction", "10")).isEqualTo(2);
        assertThat(console.err()).contains("-c CONFIG is required").hasLineCount(1);
        console.resetErr();
        assertThat(Main.execute("bench", "-c", "unused.yaml", "--fraction", "1")).isEqualTo(2);
        assertThat(console.err()).contains("--fraction: 1 classes (give at least 2)").hasLineCount(1);
        console.resetErr();
        assertThat(Main.execute("bench", "-c", "unused.yaml", "--soak", "5")).isEqualTo(2);
        assertThat(console.err()).contains("--soak: 5 steps is too short").hasLineCount(1);
        console.resetErr();
        assertThat(Main.execute("bench", "-c", "unused.yaml", "--memory", "disk")).isEqualTo(2);
        assertThat(console.err()).contains("--memory: 'disk' is not train or eval").hasLineCount(1);
    }
}
