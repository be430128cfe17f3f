package io.distill4j.spark;

import io.distill4j.cli.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real standalone cluster on 127.0.0.1: a Master and two Workers (one core each), separate JVMs started from
 * this class path. A 4-run sweep runs on it; one Worker is killed (SIGKILL) while its executor trains a run past
 * its first checkpoint; the sweep still finishes, the lost run resumed on the other Worker, and every run's metrics
 * equal a single-machine sweep's.
 */
class StandaloneClusterTest {
    @TempDir
    Path dir;

    private final List<Process> daemons = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : daemons) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSweepLosesAWorkerAndStillEqualsASingleMachineSweep() throws Exception {
        Files.writeString(dir.resolve("base.yaml"), SparkSweepTest.BASE.replace("train_subset: 128",
                "train_subset: 384").replace("epochs: 1", "epochs: 2"));
        Path f = Files.writeString(dir.resolve("sweep.yaml"), "base: " + dir.resolve("base.yaml")
                + "\nseeds: [0, 1, 2, 3]\nvariants: {baseline: {}}\n");
        Path plain = dir.resolve("plain");
        // the cores the sweep may use: the engine's threads where DISTILL4J_THREADS sets them, else the machine's
        String parallel = String.valueOf(Math.min(2, Integer.getInteger("ai.djl.pytorch.num_threads",
                Runtime.getRuntime().availableProcessors())));
        assertThat(Main.execute("sweep", f.toString(), "-o", plain.toString(), "--parallel", parallel)).isEqualTo(0);

        int port = freePort();
        Path sparkHome = Files.createDirectories(dir.resolve("spark-home/jars")).getParent(); // no jars: the class path
        daemons.add(daemon("master", sparkHome, "-Dspark.worker.timeout=5", "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", String.valueOf(port), "--webui-port", String.valueOf(freePort())));
        String master = "spark://127.0.0.1:" + port;
        for (int w = 1; w <= 2; w++) {
            daemons.add(daemon("worker" + w, sparkHome, "-Dspark.worker.timeout=5", // heartbeats every 1.25 s
                    "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1", "--memory", "2g",
                    "--webui-port", String.valueOf(freePort()), "--work-dir", dir.resolve("work" + w).toString(),
                    master));
        }
        Path out = dir.resolve("cluster");
        Thread killer = new Thread(() -> killAWorkerMidRun(out));
        killer.start();
        assertThat(Main.execute("sweep", f.toString(), "-o", out.toString(), "--spark", master,
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.ui.enabled=false", "--conf", "spark.executor.memory=512m",
                "--conf", "spark.executor.extraClassPath=" + System.getProperty("java.class.path")))
                .isEqualTo(0);
        killer.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(daemons.get(1).isAlive()).as("worker 1 was killed").isFalse();
        long retried = 0;
        for (int s = 0; s < 4; s++) {
            String run = "baseline-seed" + s;
            assertThat(Metrics.of(out.resolve(run))).as(run).isEqualTo(Metrics.of(plain.resolve(run)));
            retried += Files.readString(out.resolve("logs/" + run + ".log")).contains("== attempt 1") ? 1 : 0;
        }
        assertThat(retried).as("the run of the lost Worker was retried").isEqualTo(1);
        assertThat(out.resolve("report.html")).exists();
    }

    /** Waits for a run on worker 1's executor past its first checkpoint, then kills worker 1 (SIGKILL). */
    private void killAWorkerMidRun(Path out) {
        Pattern pid = Pattern.compile(" pid (\\d+) ");
        Process worker = daemons.get(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try {
            while (System.nanoTime() < deadline) {
                for (int s = 0; s < 4; s++) {
                    Path run = out.resolve("baseline-seed" + s);
                    Optional<String> token = read(out.resolve("leases/baseline-seed" + s));
                    Matcher m = pid.matcher(token.orElse(""));
                    if (m.find() && Files.exists(run.resolve("checkpoints/last.ckpt"))
                            && !Files.exists(run.resolve("summary.json")) && worker.descendants()
                            .anyMatch(p -> p.pid() == Long.parseLong(m.group(1)))) {
                        worker.destroyForcibly();
                        return;
                    }
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Optional<String> read(Path f) {
        try {
            return Optional.of(Files.readString(f));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Process daemon(String name, Path sparkHome, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        return pb.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
