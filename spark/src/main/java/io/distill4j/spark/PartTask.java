package io.distill4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

/**
 * One part of a store of teacher outputs (a range of steps) as a Spark task: {@code distill4j teacher-outputs ...
 * --steps FROM:TO} as a child process, which writes the part atomically and skips it when already written. Any
 * failure fails the attempt, and Spark retries it.
 */
record PartTask(String range, List<String> command, String log, String lease, ChildTask child)
        implements Serializable {
    String execute() throws IOException, InterruptedException {
        ChildTask.Ended e = child.run(command, Path.of(lease), Path.of(log));
        if (e.exitCode() != 0) {
            throw new IllegalStateException("steps " + range + " (attempt " + e.attempt() + " on executor "
                    + e.executor() + "): exit " + e.exitCode() + ": " + e.lastLine());
        }
        return range;
    }
}
