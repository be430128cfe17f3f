package io.distill4j.sweep;

import io.distill4j.UserError;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Work spread over a cluster instead of this machine's processes ({@code sweep --spark MASTER},
 * {@code teacher-outputs --spark MASTER}). The implementation is the distill4j-spark module, found with
 * {@link ServiceLoader}, so that Spark never enters distill4j's own jar.
 */
public interface Cluster {
    /**
     * Where and how: the master ({@code local[2]}, {@code spark://host:7077}, ...), the threads of each run (0: the
     * master's default), Spark settings ({@code --conf KEY=VALUE}), and the command line's main class.
     */
    record Options(String master, int threads, Map<String, String> conf, String mainClass) {}

    /**
     * Runs the runs of {@code before:}, then the others, each as a task that runs it as a child process in its
     * folder; prints progress to {@code console} as {@link SweepRunner} does and returns every result in plan order.
     */
    List<SweepRunner.Result> sweep(SweepPlan plan, Options options, PrintStream console);

    /**
     * Writes the parts of a store of teacher outputs: part i is steps {@code parts[i][0]} (inclusive) to
     * {@code parts[i][1]} (exclusive), written by {@code command} followed by {@code --steps FROM:TO} as a child
     * process; a part already present is skipped by that command. Returns when every part is written.
     */
    void teacherOutputParts(Path store, List<String> command, List<int[]> parts, Options options, PrintStream console);

    /** The cluster implementation on the class path, or one line saying how to get it. */
    static Cluster load(String option) {
        return ServiceLoader.load(Cluster.class).findFirst().orElseThrow(() -> new UserError(option + ": needs "
                + "the distill4j-spark module and Spark on the class path: run distill4j with bin/distill4j, which "
                + "adds them (built by mvn -DskipTests package)"));
    }
}
