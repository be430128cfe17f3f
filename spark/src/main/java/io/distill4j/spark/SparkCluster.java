package io.distill4j.spark;

import io.distill4j.UserError;
import io.distill4j.cli.Main;
import io.distill4j.sweep.Cluster;
import io.distill4j.sweep.SweepPlan;
import io.distill4j.sweep.SweepRunner;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.File;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * distill4j on Apache Spark: the driver is this process; every run of a sweep (every part of a store of teacher
 * outputs) is one Spark job of one task, submitted side by side, each task running its work as a child process on
 * its executor ({@link ChildTask}). Spark places the tasks ({@code spark.task.cpus} = the threads of a run, and a
 * GPU each with {@code spark.task.resource.gpu.amount}), retries lost ones, and the work itself lives in folders on
 * a filesystem every executor sees.
 */
public final class SparkCluster implements Cluster {
    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\d+|\\*)(?:,\\d+)?])?");

    @Override
    public List<SweepRunner.Result> sweep(SweepPlan plan, Options options, PrintStream console) {
        plan.runs().forEach(SweepRunner::check); // a folder holding another config's run is never touched
        int threads = threads(options);
        ChildTask child = child(threads);
        Path out = plan.spec().out().toAbsolutePath();
        console.printf(Locale.ROOT, "sweep %s: %d runs (%d before the others) as Spark tasks on %s, %d threads each "
                        + "(spark.task.cpus); output %s%n", plan.spec().name(), plan.runs().size(),
                plan.beforeRuns().size(), options.master(), threads, plan.spec().out());
        try (JavaSparkContext jsc = context(options, threads, "distill4j sweep " + plan.spec().name())) {
            SweepProgress progress = new SweepProgress(console, plan.runs().size(), threads);
            jsc.sc().addSparkListener(progress);
            List<SweepRunner.Result> results = new ArrayList<>(runAll(jsc, plan.beforeRuns(), out, child, progress));
            if (results.stream().noneMatch(r -> r.outcome() == SweepRunner.Outcome.FAILED)) {
                results.addAll(runAll(jsc, plan.mainRuns(), out, child, progress));
            } // else what the others need is missing
            return results;
        }
    }

    private static List<SweepRunner.Result> runAll(JavaSparkContext jsc, List<SweepPlan.PlannedRun> runs, Path out,
                                                   ChildTask child, SweepProgress progress) {
        if (runs.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(runs.size());
        try {
            List<Future<SweepRunner.Result>> futures = new ArrayList<>();
            for (SweepPlan.PlannedRun r : runs) {
                RunTask task = new RunTask(r.name(), r.dir().toAbsolutePath().toString(),
                        r.config().toAbsolutePath().toString(), r.overrides(),
                        out.resolve("logs").resolve(r.name() + ".log").toString(),
                        out.resolve("leases").resolve(r.name()).toString(), child);
                progress.expect(r.name(), r.dir(), Path.of(task.log()));
                futures.add(pool.submit(() -> runOne(jsc, r, task, progress)));
            }
            List<SweepRunner.Result> results = new ArrayList<>();
            for (Future<SweepRunner.Result> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            jsc.cancelAllJobs(); // each task kills its child; every run resumes from its checkpoint next time
            throw new UserError("sweep interrupted; run it again to continue");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static SweepRunner.Result runOne(JavaSparkContext jsc, SweepPlan.PlannedRun r, RunTask task,
                                             SweepProgress progress) {
        jsc.setJobGroup(r.name(), "distill4j run " + r.name(), true);
        try {
            RunTask.Done d = jsc.parallelize(List.of(task), 1).map(RunTask::execute).collect().get(0);
            switch (d.outcome()) {
                case SKIPPED -> progress.ended(r.name(), "finished before: skipped");
                case FAILED -> progress.ended(r.name(), "FAILED (exit " + d.exitCode() + "): " + d.lastLine());
                default -> progress.ended(r.name(), String.format(Locale.ROOT, "done in %.0f s on executor %s%s",
                        d.seconds(), d.executor(), d.attempt() > 0 ? " (attempt " + d.attempt() + ")" : ""));
            }
            return new SweepRunner.Result(r, d.outcome(), d.exitCode(), d.seconds());
        } catch (RuntimeException e) {
            progress.ended(r.name(), "FAILED: " + firstLine(e.getMessage()));
            return new SweepRunner.Result(r, SweepRunner.Outcome.FAILED, -1, 0);
        }
    }

    @Override
    public void teacherOutputParts(Path store, List<String> command, List<int[]> parts, Options options,
                                   PrintStream console) {
        int threads = threads(options);
        ChildTask child = child(threads);
        Path dir = store.toAbsolutePath().resolveSibling(store.getFileName() + ".parts");
        List<PartTask> tasks = new ArrayList<>();
        for (int[] p : parts) {
            String range = p[0] + "-" + p[1];
            List<String> cmd = new ArrayList<>(command);
            cmd.addAll(List.of("--steps", p[0] + ":" + p[1]));
            tasks.add(new PartTask(range, cmd, dir.resolve("logs").resolve(range + ".log").toString(),
                    dir.resolve("leases").resolve(range).toString(), child));
        }
        console.printf(Locale.ROOT, "%s: %d parts as Spark tasks on %s, %d threads each%n", store, parts.size(),
                options.master(), threads);
        try (JavaSparkContext jsc = context(options, threads, "distill4j teacher-outputs " + store.getFileName())) {
            List<String> done = jsc.parallelize(tasks, tasks.size()).map(PartTask::execute).collect();
            console.printf(Locale.ROOT, "%s: %d parts written (%s)%n", store, done.size(), String.join(", ", done));
        } catch (RuntimeException e) {
            throw new UserError(store + ": the parts could not all be written: " + firstLine(e.getMessage())
                    + " (logs in " + dir.resolve("logs") + "; run again to continue)");
        }
    }

    /**
     * The threads of each task: {@code --threads}, else spark.task.cpus, else 1. They are the task's cores too, so
     * {@code local[N]} (N cores) runs N / threads tasks at once.
     */
    static int threads(Options options) {
        Matcher local = LOCAL.matcher(options.master());
        int slots = !local.matches() ? 0 : local.group(1) == null ? 1
                : local.group(1).equals("*") ? Runtime.getRuntime().availableProcessors()
                : Integer.parseInt(local.group(1));
        int t;
        String cpus = options.conf().get("spark.task.cpus");
        if (options.threads() > 0) {
            t = options.threads();
            if (cpus != null && !cpus.equals(String.valueOf(t))) {
                throw new UserError("--conf spark.task.cpus=" + cpus + " and --threads " + t + " disagree: the "
                        + "threads of a run are its task's cores; give one of them");
            }
        } else if (cpus != null) {
            try {
                t = Integer.parseInt(cpus.trim());
            } catch (NumberFormatException e) {
                throw new UserError("--conf spark.task.cpus=" + cpus + ": not a number of cores (give 1 or more)");
            }
        } else {
            t = 1;
        }
        if (t < 1) {
            throw new UserError("--threads " + t + ": not a thread count (give 1 or more)");
        }
        if (slots > 0 && t > slots) {
            throw new UserError("--threads " + t + " on " + options.master() + ": a task needs " + t + " of its " + slots
                    + " cores and would never start; give at most " + slots);
        }
        return t;
    }

    private static JavaSparkContext context(Options options, int threads, String name) {
        SparkConf conf = new SparkConf().setMaster(options.master()).setAppName(name);
        options.conf().forEach(conf::set);
        conf.set("spark.task.cpus", String.valueOf(threads));
        conf.setIfMissing("spark.ui.showConsoleProgress", "false"); // the driver prints each run's progress
        if (LOCAL.matcher(options.master()).matches()) { // one machine: nothing to reach from outside
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        } else {
            conf.setIfMissing("spark.executor.extraClassPath", childClassPath());
        }
        try {
            return new JavaSparkContext(conf);
        } catch (RuntimeException e) {
            throw new UserError("--spark " + options.master() + ": cannot start Spark: " + firstLine(e.getMessage()));
        }
    }

    private static ChildTask child(int threads) {
        List<String> jvm = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-Dai.djl.pytorch.num_threads=") || a.startsWith("-Dai.djl.pytorch.num_interop_threads=")
                    || a.startsWith("-agentlib") || a.startsWith("-javaagent") || a.startsWith("-Xdebug")) {
                continue;
            }
            jvm.add(a);
        }
        jvm.add("-Dai.djl.offline=" + System.getProperty("ai.djl.offline", "true"));
        return new ChildTask(jvm, childClassPath(), Path.of("").toAbsolutePath().toString(), threads);
    }

    /**
     * The class path of a task's child: distill4j's jar and this module's where both are jars (bin/distill4j: they
     * must be at the same path on every machine, e.g. on the shared filesystem), else this JVM's class path.
     */
    static String childClassPath() {
        Path core = codeSource(Main.class);
        Path spark = codeSource(SparkCluster.class);
        if (core != null && spark != null && Files.isRegularFile(core) && Files.isRegularFile(spark)) {
            return core + File.pathSeparator + spark;
        }
        return System.getProperty("java.class.path");
    }

    private static Path codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        String line = s.strip().lines().findFirst().orElse("");
        return line.length() > 400 ? line.substring(0, 400) + "..." : line;
    }
}
