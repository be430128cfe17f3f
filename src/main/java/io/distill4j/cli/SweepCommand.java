package io.distill4j.cli;

import ai.djl.engine.Engine;
import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import io.distill4j.UserError;
import io.distill4j.runtime.Machine;
import io.distill4j.sweep.Cluster;
import io.distill4j.sweep.SweepPlan;
import io.distill4j.sweep.SweepRunner;
import io.distill4j.sweep.SweepSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Run every run of a sweep file (variants x axes x seeds), each in its own folder under the "
                + "sweep's output, then compare them as distill4j report OUT does (table, OUT/report.html).",
                "Every run is validated before the first starts. Re-running continues exactly: finished runs are "
                        + "skipped, started ones resume from their checkpoint."})
public final class SweepCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SWEEP", description = "the sweep file (YAML; see README, Sweeps)")
    Path file;

    @Option(names = {"-o", "--out"}, paramLabel = "OUT", description = "output folder (default: the file's out:, "
            + "else runs/sweeps/NAME)")
    Path out;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "1",
            description = "runs at once, as separate processes; the cores are divided among them (default 1)")
    int parallel;

    @Option(names = "--shard", paramLabel = "I/N", description = "run only shard I of N (1-based) of the runs, "
            + "to split a sweep across machines")
    String shard;

    @Option(names = "--spark", paramLabel = "MASTER", description = "run the runs as Apache Spark tasks on MASTER "
            + "(local[N], spark://HOST:PORT, yarn, k8s://...), each in its folder under OUT on a filesystem every "
            + "executor sees (README, Sweeps on Apache Spark)")
    String spark;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "with --spark: threads of each "
            + "run, and its task's spark.task.cpus (default 1; local[N] has N cores)")
    int threads;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "with --spark: a Spark setting, e.g. "
            + "--conf spark.task.maxFailures=8")
    Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = "--allow-other-cpu", description = "continue a sweep whose runs ran on a CPU with other vector "
            + "extensions (pairs split across CPUs measure the CPUs too; the report marks them)")
    boolean allowOtherCpu;

    @Option(names = "--dry-run", description = "list the expanded runs (validated) and what would be done; run nothing")
    boolean dryRun;

    @Override
    public Integer call() {
        int[] sh = parseShard(shard);
        if (spark != null && (shard != null || parallel != 1)) {
            throw new UserError("--spark: runs every run on the cluster, as many at once as it has room for; "
                    + "leave out --shard and --parallel");
        }
        if (spark == null && (threads != 0 || !conf.isEmpty())) {
            throw new UserError((threads != 0 ? "--threads" : "--conf") + ": applies to --spark MASTER only");
        }
        SweepSpec spec = SweepSpec.read(file, out);
        SweepPlan plan = SweepPlan.expand(spec); // every run validated before any starts
        int cores = Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
        SweepRunner runner = new SweepRunner(plan, new SweepRunner.Options(parallel, cores, sh[0], sh[1],
                Main.class.getName(), allowOtherCpu), System.out);
        Machine here = Machine.current(spark != null ? Math.max(1, threads) : Math.max(1, cores / parallel));
        if (spark == null) { // on a cluster each task's train --resume checks its own machine
            plan.checkMachines(here, allowOtherCpu);
        }
        if (spark == null) { // on a cluster, the cluster says how the runs are spread
            System.out.printf("sweep %s: %d runs (%d before the others), %d in this shard, %d at a time with %d "
                            + "threads each; output %s%n", spec.name(), plan.runs().size(), plan.beforeRuns().size(),
                    runner.shardRuns().size(), parallel, Math.max(1, cores / parallel), spec.out());
        }
        if (dryRun) {
            for (SweepPlan.PlannedRun r : plan.runs()) {
                String state = Files.exists(r.dir().resolve("summary.json")) ? "finished"
                        : Files.exists(r.dir().resolve("checkpoints/last.ckpt")) ? "to resume" : "to train";
                System.out.printf("  %-40s %-10s -c %s %s%n", r.name(), state, r.config(),
                        String.join(" ", r.overrides().stream().map(o -> "--set " + o).toList()));
            }
            return 0;
        }
        plan.manifest(here.commit(), versions(), machine(here)).write();
        List<SweepRunner.Result> results = spark == null ? runner.run() : Cluster.load("--spark")
                .sweep(plan, new Cluster.Options(spark, threads, conf, Main.class.getName()), System.out);
        plan.manifest(here.commit(), versions(), machine(here)).write(); // now with each run's machines
        List<String> failed = results.stream().filter(r -> r.outcome() == SweepRunner.Outcome.FAILED)
                .map(r -> r.run().name()).toList();
        if (!failed.isEmpty()) {
            throw new UserError(failed.size() + " run(s) failed: " + String.join(", ", failed) + " (logs in "
                    + spec.out().resolve("logs") + "; fix and run the sweep again to continue)");
        }
        if (sh[1] > 1) {
            System.out.println("shard " + (sh[0] + 1) + "/" + sh[1] + " done; when every shard's runs are in "
                    + spec.out() + ": distill4j report " + spec.out());
            return 0;
        }
        System.out.println();
        ReportCommand.report(List.of(spec.out()), null, null); // the table, and OUT/report.html
        return 0;
    }

    static int[] parseShard(String s) {
        if (s == null) {
            return new int[] {0, 1};
        }
        var m = Pattern.compile("(\\d+)/(\\d+)").matcher(s.trim());
        if (!m.matches()) {
            throw new UserError("--shard: '" + s + "' is not I/N (e.g. 1/2)");
        }
        int i = Integer.parseInt(m.group(1));
        int n = Integer.parseInt(m.group(2));
        if (n < 1 || i < 1 || i > n) {
            throw new UserError("--shard: " + s + " is not a shard (give I/N with 1 <= I <= N)");
        }
        return new int[] {i - 1, n};
    }

    private static Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("distill4j", Main.class.getAnnotation(Command.class).version()[0].replace("distill4j ", ""));
        v.put("djl", Engine.getDjlVersion());
        v.put("pytorch", Engine.getInstance().getVersion());
        v.put("java", System.getProperty("java.version"));
        return v;
    }

    /** The machine as the manifest records it (a map, as SweepManifest keeps it). */
    private static Map<String, Object> machine(Machine here) {
        return new Gson().fromJson(here.toJson(), new TypeToken<Map<String, Object>>() {}.getType());
    }
}
