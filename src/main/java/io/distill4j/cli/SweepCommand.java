package io.distill4j.cli;

import io.distill4j.UserError;
import io.distill4j.api.Distill4j;
import io.distill4j.api.SweepOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/** {@code distill4j sweep}: parses its options and calls {@link Distill4j#sweep}. */
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
        Distill4j.sweep(file, new SweepOptions(out, parallel, sh[0], sh[1], spark, threads, conf, allowOtherCpu, dryRun,
                Main.class.getName(), System.out, System.err));
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
}
