package io.distill4j.api;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * How a sweep runs: its output folder (null: the file's {@code out:}, else {@code runs/sweeps/NAME}), runs at once,
 * which shard of the runs, on Apache Spark or not, whether started runs may resume on a CPU with other vector
 * extensions, a dry run (the runs listed, none run), the command line's main class that each run's process runs
 * with {@code train} arguments (the command line passes its own: the API cannot name it), and where its lines go.
 *
 * @param shard   this shard, 0-based, of {@code shards}
 * @param spark   the Spark master ({@code local[N]}, {@code spark://HOST:PORT}, ...), or null for this machine's
 *                processes
 * @param threads with {@code spark}: threads of each run (0: 1)
 * @param conf    with {@code spark}: Spark settings
 */
public record SweepOptions(Path out, int parallel, int shard, int shards, String spark, int threads,
                           Map<String, String> conf, boolean allowOtherCpu, boolean dryRun, String mainClass,
                           PrintStream console, PrintStream log) {
    public SweepOptions {
        conf = Map.copyOf(conf);
        console = console != null ? console : new PrintStream(OutputStream.nullOutputStream());
        log = log != null ? log : new PrintStream(OutputStream.nullOutputStream());
    }

    /** One run at a time on this machine, every run, lines on {@code System.out} (the report's on {@code System.err}). */
    public static SweepOptions of(String mainClass) {
        return new SweepOptions(null, 1, 0, 1, null, 0, Map.of(), false, false, mainClass, System.out, System.err);
    }

    public SweepOptions withOut(Path o) {
        return new SweepOptions(o, parallel, shard, shards, spark, threads, conf, allowOtherCpu, dryRun, mainClass,
                console, log);
    }

    public SweepOptions withParallel(int n) {
        return new SweepOptions(out, n, shard, shards, spark, threads, conf, allowOtherCpu, dryRun, mainClass,
                console, log);
    }

    public SweepOptions withDryRun(boolean d) {
        return new SweepOptions(out, parallel, shard, shards, spark, threads, conf, allowOtherCpu, d, mainClass,
                console, log);
    }

    /** Nothing printed. */
    public SweepOptions quiet() {
        return new SweepOptions(out, parallel, shard, shards, spark, threads, conf, allowOtherCpu, dryRun, mainClass,
                null, null);
    }
}
