package io.distill4j.spark;

import io.distill4j.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sweep --spark local[...]} runs a sweep's runs ({@code before:} first) as Spark tasks: every run's metrics
 * equal the plain sweep's, the report is written, and an attempt whose child dies is retried by Spark and resumes
 * from the run's checkpoint, ending where an uninterrupted run ends.
 */
class SparkSweepTest {
    @TempDir
    Path dir;

    static final String BASE = """
            seed: 0
            data: {name: fashion-mnist-mini, train_subset: 128}
            networks: {student: {arch: resnet8}}
            train: {epochs: 1, batch_size: 64, eval_batch_size: 500, threads: 1, log_every: 1}
            optim: {lr: 0.05}
            method: {name: baseline}
            """;

    static final String[] LOCAL = {"--conf", "spark.ui.enabled=false"};

    Path sweep(String body) throws IOException {
        Files.writeString(dir.resolve("base.yaml"), BASE);
        return Files.writeString(dir.resolve("sweep.yaml"), "base: " + dir.resolve("base.yaml") + "\n" + body);
    }

    @Test
    void aSweepOnLocalSparkEqualsThePlainSweepAndWritesTheReport() throws IOException {
        Path f = sweep("""
                seeds: [0]
                before:
                  teacher: {}
                variants:
                  baseline: {}
                  kd: {method.name: kd, teachers.t.checkpoint: "${teacher}/checkpoints/best.ckpt",
                       teachers.t.arch: resnet8}
                """);
        Path plain = dir.resolve("plain");
        Path spark = dir.resolve("spark");
        assertThat(Main.execute("sweep", f.toString(), "-o", plain.toString())).isEqualTo(0);
        assertThat(Main.execute("sweep", f.toString(), "-o", spark.toString(), "--spark", "local[2]", LOCAL[0],
                LOCAL[1])).isEqualTo(0);
        for (String run : List.of("teacher", "baseline-seed0", "kd-seed0")) {
            assertThat(Metrics.of(spark.resolve(run))).as(run).isEqualTo(Metrics.of(plain.resolve(run)));
        }
        assertThat(spark.resolve("report.html")).exists();
        assertThat(spark.resolve("manifest.json")).exists();
        // run again: every run is finished, and skipped
        assertThat(Main.execute("sweep", f.toString(), "-o", spark.toString(), "--spark", "local[2]", LOCAL[0],
                LOCAL[1])).isEqualTo(0);
        assertThat(Files.readString(spark.resolve("logs/kd-seed0.log"))).containsOnlyOnce("== attempt");
    }

    @Test
    void anAttemptWhoseChildDiesIsRetriedAndResumesFromTheCheckpoint() throws Exception {
        Files.writeString(dir.resolve("long.yaml"), BASE.replace("train_subset: 128", "train_subset: 384")
                .replace("epochs: 1", "epochs: 3"));
        Path f = Files.writeString(dir.resolve("sweep.yaml"), "base: " + dir.resolve("long.yaml")
                + "\nseeds: [0]\nvariants: {baseline: {}}\n");
        Path straight = dir.resolve("straight");
        assertThat(Main.execute("sweep", f.toString(), "-o", straight.toString())).isEqualTo(0);

        Path out = dir.resolve("killed");
        Path run = out.resolve("baseline-seed0");
        Thread killer = new Thread(() -> {
            try {
                while (!Files.exists(run.resolve("checkpoints/last.ckpt"))) {
                    Thread.sleep(50);
                }
                child(run).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL: the attempt fails
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        killer.start();
        // local[1,3]: one slot, up to 3 attempts a task
        assertThat(Main.execute("sweep", f.toString(), "-o", out.toString(), "--spark", "local[1,3]", LOCAL[0],
                LOCAL[1])).isEqualTo(0);
        killer.join(TimeUnit.SECONDS.toMillis(10));
        String log = Files.readString(out.resolve("logs/baseline-seed0.log"));
        assertThat(log).contains("== attempt 0").contains("== attempt 1");
        assertThat(Metrics.of(run)).isEqualTo(Metrics.of(straight.resolve("baseline-seed0")));
    }

    /** The child JVM of this one (the only run under way). */
    static Optional<ProcessHandle> child(Path run) {
        return ProcessHandle.current().children().filter(p -> p.info().command().map(c -> c.endsWith("java"))
                .orElse(false)).findFirst();
    }
}
