package io.distill4j.sweep;

import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.config.RunConfig;
import io.distill4j.run.Run;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a sweep's runs, each as its own {@code distill4j train} process with its share of the cores, N at a time.
 * Re-running a sweep continues it exactly: a finished run (its {@code summary.json} written with the same
 * config) is skipped, a started one resumes from its last checkpoint (never restarted), and only a run without
 * any checkpoint starts over. Each run's console output goes to {@code OUT/logs/NAME.log}.
 */
public final class SweepRunner {
    /** What became of a run. */
    public enum Outcome { SKIPPED, TRAINED, RESUMED, FAILED }

    public record Result(SweepPlan.PlannedRun run, Outcome outcome, int exitCode, double seconds) {}

    /**
     * @param parallel runs at once
     * @param cores    cores to divide among them (each run gets {@code cores / parallel} intra-op threads)
     * @param shard    this shard (0-based) of {@code shards}: it runs the main runs whose index modulo
     *                 {@code shards} is {@code shard} (every shard runs the runs of {@code before:})
     * @param mainClass the command line's main class, which a child process runs with {@code train}
     * @param allowOtherCpu resume started runs on this machine even where they started on a CPU with other kernels
     */
    public record Options(int parallel, int cores, int shard, int shards, String mainClass, boolean allowOtherCpu) {
        public Options(int parallel, int cores, int shard, int shards, String mainClass) {
            this(parallel, cores, shard, shards, mainClass, false);
        }

        public Options {
            if (parallel < 1) {
                throw new UserError("--parallel: " + parallel + " is not a number of runs (give 1 or more)");
            }
            if (parallel > cores) {
                throw new UserError("--parallel " + parallel + " on " + cores + " cores: each run needs at least one "
                        + "core (oversubscribed runs were ten times slower, measured); give at most " + cores);
            }
            if (shards < 1 || shard < 0 || shard >= shards) {
                throw new UserError("--shard: " + (shard + 1) + "/" + shards + " is not a shard (give I/N with 1 <= I <= N)");
            }
        }

        public int threadsPerRun() { return Math.max(1, cores / parallel); }
    }

    private final SweepPlan plan;
    private final Options options;
    private final PrintStream console;
    private final Set<Process> live = ConcurrentHashMap.newKeySet();
    private final AtomicInteger done = new AtomicInteger();

    public SweepRunner(SweepPlan plan, Options options, PrintStream console) {
        this.plan = plan;
        this.options = options;
        this.console = console;
    }

    /** The main runs of this shard. */
    public List<SweepPlan.PlannedRun> shardRuns() {
        List<SweepPlan.PlannedRun> main = plan.mainRuns();
        List<SweepPlan.PlannedRun> mine = new ArrayList<>();
        for (int i = 0; i < main.size(); i++) {
            if (i % options.shards() == options.shard()) {
                mine.add(main.get(i));
            }
        }
        return mine;
    }

    /** Runs the runs of {@code before:}, then this shard's; returns every result in plan order. */
    public List<Result> run() {
        List<SweepPlan.PlannedRun> mine = shardRuns();
        for (SweepPlan.PlannedRun r : plan.runs()) {
            if (r.before() || mine.contains(r)) {
                check(r);
            }
        }
        Thread hook = new Thread(this::stopAll); // Ctrl-C: every run checkpoints and stops, resumable
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            int total = plan.beforeRuns().size() + mine.size();
            List<Result> results = new ArrayList<>(runAll(plan.beforeRuns(), total));
            if (results.stream().anyMatch(r -> r.outcome() == Outcome.FAILED)) {
                return results; // what the others need is missing
            }
            results.addAll(runAll(mine, total));
            return results;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // the JVM is shutting down: the hook runs
            }
        }
    }

    /**
     * A folder that holds a run of another config is never touched. Configs are compared by identity, resolved as
     * this version reads them, so a run written before new keys existed (at their defaults), or on another device
     * (a Spark task's GPU), still counts as the same run.
     */
    public static void check(SweepPlan.PlannedRun r) {
        Path cfg = r.dir().resolve("config.yaml");
        if (!Files.exists(cfg)) {
            return;
        }
        String existing;
        try {
            RunConfig c = ConfigLoader.load(cfg, List.of());
            Run.validate(c, p -> false);
            existing = c.identity();
        } catch (UserError e) {
            existing = null;
        }
        if (!r.identity().equals(existing)) {
            throw new UserError(r.dir() + ": holds a run of another config than the sweep's run " + r.name()
                    + " (the sweep file changed?); give the sweep another -o, or remove that folder");
        }
    }

    private List<Result> runAll(List<SweepPlan.PlannedRun> runs, int total) {
        if (runs.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(options.parallel());
        try {
            List<Future<Result>> futures = new ArrayList<>();
            for (SweepPlan.PlannedRun r : runs) {
                futures.add(pool.submit(() -> runOne(r, total)));
            }
            List<Result> out = new ArrayList<>();
            for (Future<Result> f : futures) {
                try {
                    out.add(f.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopAll();
                    throw new UserError("sweep interrupted; run it again to continue");
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private Result runOne(SweepPlan.PlannedRun r, int total) throws IOException, InterruptedException {
        Path dir = r.dir();
        if (Files.exists(dir.resolve("summary.json"))) {
            say(r, total, "finished before: skipped");
            return new Result(r, Outcome.SKIPPED, 0, 0);
        }
        boolean resume = Files.exists(dir.resolve("checkpoints").resolve("last.ckpt"));
        List<String> cmd = new ArrayList<>(javaCommand(options.threadsPerRun(), options.mainClass()));
        cmd.add("train");
        if (resume) {
            cmd.addAll(List.of("--resume", dir.toString()));
            if (options.allowOtherCpu()) {
                cmd.add("--allow-other-cpu");
            }
        } else {
            cmd.addAll(List.of("-c", r.config().toString()));
            for (String o : r.overrides()) {
                cmd.addAll(List.of("--set", o));
            }
            cmd.addAll(List.of("-o", dir.toString()));
            if (Files.exists(dir)) {
                cmd.add("--force"); // started, but no checkpoint yet: nothing to resume
            }
        }
        Path log = dir.getParent().resolve("logs").resolve(r.name() + ".log");
        Files.createDirectories(log.getParent());
        say(r, total, (resume ? "resuming from its checkpoint" : "started") + " (" + options.threadsPerRun()
                + " threads, log " + log + ")");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        live.add(p);
        int code;
        try {
            code = p.waitFor();
        } finally {
            live.remove(p);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        if (code != 0 || !Files.exists(dir.resolve("summary.json"))) {
            say(r, total, "FAILED (exit " + code + "): " + lastLine(log));
            return new Result(r, Outcome.FAILED, code, secs);
        }
        say(r, total, String.format(Locale.ROOT, "done in %.0f s", secs));
        return new Result(r, resume ? Outcome.RESUMED : Outcome.TRAINED, code, secs);
    }

    private void say(SweepPlan.PlannedRun r, int total, String what) {
        boolean end = !what.startsWith("started") && !what.startsWith("resuming");
        int k = end ? done.incrementAndGet() : done.get();
        synchronized (console) {
            console.printf(Locale.ROOT, "[%d/%d] %s: %s%n", k, total, r.name(), what);
        }
    }

    private void stopAll() {
        List<Process> ps = new ArrayList<>(live);
        ps.forEach(Process::destroy); // SIGTERM: each run writes a checkpoint, then exits
        for (Process p : ps) {
            try {
                p.waitFor(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            Collections.reverse(lines);
            return lines.stream().filter(l -> !l.isBlank()).findFirst().orElse("(empty log)").trim();
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /**
     * This JVM's command line for a child run: the same Java, options (heap, system properties) and class path,
     * with its share of threads.
     */
    static List<String> javaCommand(int threads, String mainClass) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-Dai.djl.pytorch.num_threads=") || a.startsWith("-Dai.djl.pytorch.num_interop_threads=")
                    || a.startsWith("-agentlib") || a.startsWith("-javaagent") || a.startsWith("-Xdebug")) {
                continue;
            }
            cmd.add(a);
        }
        cmd.add("-Dai.djl.pytorch.num_threads=" + threads);
        cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
        cmd.add("-Dai.djl.offline=" + System.getProperty("ai.djl.offline", "true"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        return cmd;
    }
}
