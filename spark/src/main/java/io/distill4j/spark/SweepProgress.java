package io.distill4j.spark;

import org.apache.spark.TaskFailedReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The driver's console during a sweep on Spark, in the plain sweep's form ({@code [k/N] RUN: what}): a run's task
 * starting (where, which attempt), an attempt lost (Spark retries it), a run ending.
 */
final class SweepProgress extends SparkListener {
    private record Expected(Path dir, Path log) {}

    private final PrintStream console;
    private final int total;
    private final int threads;
    private final AtomicInteger done = new AtomicInteger();
    private final Map<String, Expected> runs = new ConcurrentHashMap<>();
    private final Map<Integer, String> stageRun = new ConcurrentHashMap<>();

    SweepProgress(PrintStream console, int total, int threads) {
        this.console = console;
        this.total = total;
        this.threads = threads;
    }

    void expect(String run, Path dir, Path log) {
        runs.put(run, new Expected(dir, log));
    }

    void ended(String run, String what) {
        say(done.incrementAndGet(), run, what);
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        String run = start.properties() == null ? null : start.properties().getProperty("spark.jobGroup.id");
        if (run != null && runs.containsKey(run)) {
            for (int i = 0; i < start.stageIds().size(); i++) {
                stageRun.put((Integer) start.stageIds().apply(i), run);
            }
        }
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart start) {
        String run = stageRun.get(start.stageId());
        if (run == null) {
            return;
        }
        Expected e = runs.get(run);
        boolean finished = Files.exists(e.dir().resolve("summary.json"));
        boolean resume = Files.exists(e.dir().resolve("checkpoints").resolve("last.ckpt"));
        if (!finished) {
            say(done.get(), run, (resume ? "resuming from its checkpoint" : "started") + " on executor "
                    + start.taskInfo().executorId() + (start.taskInfo().attemptNumber() > 0 ? ", attempt "
                    + start.taskInfo().attemptNumber() : "") + " (" + threads + " threads, log " + e.log() + ")");
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        String run = stageRun.get(end.stageId());
        if (run != null && !end.taskInfo().successful()) {
            say(done.get(), run, "attempt " + end.taskInfo().attemptNumber() + " on executor "
                    + end.taskInfo().executorId() + " failed: " + SparkCluster.firstLine(end.reason()
                    instanceof TaskFailedReason r ? r.toErrorString() : end.reason().toString())
                    + "; Spark retries it unless its attempts are used up");
        }
    }

    private void say(int k, String run, String what) {
        synchronized (console) {
            console.printf(Locale.ROOT, "[%d/%d] %s: %s%n", k, total, run, what);
        }
    }
}
