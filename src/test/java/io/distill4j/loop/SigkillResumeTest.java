package io.distill4j.loop;

import io.distill4j.RunFiles;
import io.distill4j.runfolder.MetricsLog;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real kill: {@code distill4j train} runs in a child JVM and gets SIGKILL at a seeded random moment after its
 * first checkpoint (mid-epoch, or while it writes a checkpoint); {@code --resume} then finishes the run, whose
 * weights (every optimized network, the method's own included) and metrics equal an uninterrupted run's.
 */
class SigkillResumeTest {
    @TempDir
    Path dir;

    static final String CONFIG = """
            seed: 9
            data: {name: fashion-mnist-mini, train_subset: 384, pad_crop: 2, flip: true}
            train: {epochs: 4, batch_size: 32, eval_batch_size: 500, log_every: 1, threads: 1}
            optim: {lr: 0.05}
            """;

    @ParameterizedTest
    @ValueSource(strings = {"dlb", "okdcr"})
    void killedAtARandomMomentAndResumedEqualsAnUninterruptedRun(String method) throws Exception {
        String nets = method.equals("okdcr") ? "networks: {p1: {arch: resnet8}, p2: {arch: resnet8}}\n"
                : "networks: {student: {arch: resnet8}}\n";
        Path cfg = dir.resolve(method + ".yaml");
        Files.writeString(cfg, CONFIG + nets + "method: {name: " + method + "}\n");
        List<float[]> straight = EveryMethodResumesExactlyTest.train(cfg, dir.resolve("straight"), false, null);

        Path out = dir.resolve("killed");
        Path last = out.resolve("checkpoints/last.ckpt");
        long delayMs = new SplittableRandom(method.hashCode()).nextInt(1500); // the choice replays; the timing cannot
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true",
                "io.distill4j.cli.Main", "train", "-c", cfg.toString(), "-o", out.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(last) && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(Files.exists(last)).as("the child wrote a checkpoint (exit %s); its log:%n%s",
                    p.isAlive() ? "none yet" : p.exitValue(), tail(dir.resolve("child.log"))).isTrue();
            Thread.sleep(delayMs);
            assertThat(p.isAlive()).as("killed before the end (after %d ms)", delayMs).isTrue();
            p.destroyForcibly(); // SIGKILL: no shutdown hook runs
            p.waitFor(30, TimeUnit.SECONDS);
        } finally {
            p.destroyForcibly();
        }
        assertThat(out.resolve("summary.json")).doesNotExist();
        List<float[]> resumed = EveryMethodResumesExactlyTest.train(cfg, out, true, null);
        assertThat(resumed).hasSameSizeAs(straight);
        for (int i = 0; i < straight.size(); i++) {
            assertThat(resumed.get(i)).as("%s killed after %d ms: parameter %d", method, delayMs, i)
                    .containsExactly(straight.get(i));
        }
        assertThat(RunFiles.metricsWithoutTiming(out)).isEqualTo(RunFiles.metricsWithoutTiming(dir.resolve("straight")));
        assertThat(MetricsLog.path(out)).exists();
        try (var s = Files.list(out.resolve("checkpoints"))) {
            assertThat(s.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList())
                    .as("no temporary file of a killed write is left").isEmpty();
        }
    }

    /** The last lines of the child's log, for a failure message (the temporary folder is deleted after). */
    static String tail(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of("(no log)");
        return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
