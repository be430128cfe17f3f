package io.distill4j.spark;

import io.distill4j.sweep.SweepRunner;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of a sweep as a Spark task, decided on the executor as {@link SweepRunner} decides it: a run with its
 * {@code summary.json} is skipped, one with a checkpoint resumes from it (so a retried task continues where the
 * lost attempt's last checkpoint was), any other starts. A run that ends in a user error (exit 2: a bad config or
 * file) is a failure Spark does not retry; any other failure (a crash, a lost child) fails the attempt, and Spark
 * retries it.
 *
 * @param name the run's name; {@code dir}, {@code config}, {@code log} and {@code lease} are absolute paths
 */
record RunTask(String name, String dir, String config, List<String> overrides, String log, String lease,
               ChildTask child) implements Serializable {
    /** What became of the run, for the driver. */
    record Done(String name, SweepRunner.Outcome outcome, int exitCode, double seconds, String lastLine,
                String executor, int attempt) implements Serializable {}

    Done execute() throws IOException, InterruptedException {
        Path out = Path.of(dir);
        if (Files.exists(out.resolve("summary.json"))) {
            return new Done(name, SweepRunner.Outcome.SKIPPED, 0, 0, "", "", 0);
        }
        boolean resume = Files.exists(out.resolve("checkpoints").resolve("last.ckpt"));
        List<String> cmd = new ArrayList<>(List.of("train"));
        if (resume) {
            cmd.addAll(List.of("--resume", dir));
        } else {
            cmd.addAll(List.of("-c", config));
            for (String o : overrides) {
                cmd.addAll(List.of("--set", o));
            }
            cmd.addAll(List.of("-o", dir));
            if (Files.exists(out)) {
                cmd.add("--force"); // started, but no checkpoint yet: nothing to resume
            }
        }
        ChildTask.Ended e = child.run(cmd, Path.of(lease), Path.of(log));
        if (e.exitCode() == 0 && Files.exists(out.resolve("summary.json"))) {
            return new Done(name, resume ? SweepRunner.Outcome.RESUMED : SweepRunner.Outcome.TRAINED, 0, e.seconds(),
                    e.lastLine(), e.executor(), e.attempt());
        }
        if (e.exitCode() == 2) { // the run's input is wrong: another attempt would fail the same way
            return new Done(name, SweepRunner.Outcome.FAILED, 2, e.seconds(), e.lastLine(), e.executor(), e.attempt());
        }
        throw new IllegalStateException("run " + name + " (attempt " + e.attempt() + " on executor " + e.executor()
                + "): exit " + e.exitCode() + ": " + e.lastLine());
    }
}
