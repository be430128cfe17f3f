package io.distill4j.spark;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What every task of distill4j does on its executor: takes the lease of its work, runs one distill4j command as a
 * child process ({@link LeasedChild}) with the task's threads (and its GPU, when Spark gave it one), and waits,
 * killing the child when Spark kills the task. The child's console goes to a log file, appended attempt after
 * attempt.
 *
 * @param jvmOptions the driver's JVM options (heap, system properties) for the child
 * @param classPath  the child's class path (distill4j's jar and this module's, on a path every executor sees)
 * @param cwd        the driver's working directory: relative paths in configs mean the same there
 * @param threads    intra-op threads (spark.task.cpus)
 */
record ChildTask(List<String> jvmOptions, String classPath, String cwd, int threads) implements Serializable {
    /** The children of this executor, killed with it. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly)));
    }

    /** How one attempt ended. */
    record Ended(int exitCode, double seconds, String lastLine, String executor, int attempt) implements Serializable {}

    /** Runs {@code command} (distill4j's arguments) under the lease at {@code lease}, console to {@code log}. */
    Ended run(List<String> command, Path lease, Path log) throws IOException, InterruptedException {
        TaskContext ctx = TaskContext.get();
        String executor = SparkEnv.get() != null ? SparkEnv.get().executorId() : "?";
        String token = host() + " executor " + executor + " pid " + ProcessHandle.current().pid() + " task "
                + ctx.taskAttemptId() + " attempt " + ctx.attemptNumber() + " at " + Instant.now();
        String before = Lease.take(lease, token);
        if (before != null && !before.equals(token)) {
            Thread.sleep(Lease.GRACE_MS); // a straggler that still runs sees the new token and halts meanwhile
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-Dai.djl.pytorch.num_threads=" + threads);
        cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
        cmd.addAll(List.of("-cp", classPath, LeasedChild.class.getName(), lease.toString(), token,
                String.valueOf(ProcessHandle.current().pid())));
        cmd.addAll(command);
        String gpu = gpu(ctx);
        if (gpu != null && command.contains("train")) {
            cmd.addAll(List.of("--set", "train.device=gpu:" + gpu)); // the task's GPU; not part of the run's identity
        }
        Files.createDirectories(log.getParent());
        Files.writeString(log, "== attempt " + ctx.attemptNumber() + " on " + token + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (Files.isDirectory(Path.of(cwd))) {
            pb.directory(Path.of(cwd).toFile());
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        LIVE.add(p);
        try {
            while (!p.waitFor(Lease.POLL_MS, TimeUnit.MILLISECONDS)) {
                if (ctx.isInterrupted()) {
                    p.destroyForcibly(); // killed by Spark: the child stops at once, writing nothing more
                    p.waitFor(30, TimeUnit.SECONDS);
                    throw new IllegalStateException("task killed (" + ctx.getKillReason().getOrElse(() -> "?") + ")");
                }
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            throw e;
        } finally {
            LIVE.remove(p);
            Lease.release(lease, token);
        }
        return new Ended(p.exitValue(), (System.nanoTime() - t0) / 1e9, lastLine(log), executor, ctx.attemptNumber());
    }

    /** The task's GPU address when Spark scheduled it with spark.task.resource.gpu.amount, else null. */
    private static String gpu(TaskContext ctx) {
        Map<String, ResourceInformation> r = ctx.resourcesJMap();
        ResourceInformation g = r == null ? null : r.get("gpu");
        return g == null || g.addresses().length == 0 ? null : g.addresses()[0];
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "?";
        }
    }

    static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return lines.get(i).trim();
                }
            }
            return "(empty log)";
        } catch (IOException | UncheckedIOException e) {
            return "(no log)";
        }
    }
}
