package io.distill4j.api;

import io.distill4j.loop.TrainingListener;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * How a run is trained beyond its config: start over in a folder holding a run ({@code force}), stop and checkpoint
 * after a number of steps, resume on a CPU with other vector extensions, extra {@link TrainingListener}s (progress,
 * metrics: called after each step and evaluation, after the run folder's own progress printer), where the run's
 * lines go ({@code out}: the header and the summary table; {@code progress}: the progress lines) and whether the
 * JVM's shutdown (Ctrl-C) checkpoints the current step first.
 *
 * @param stopAfterSteps null to train to the end; else stop after this many global steps (at least 1)
 */
public record TrainOptions(boolean force, Long stopAfterSteps, boolean allowOtherCpu,
                           List<TrainingListener> listeners, PrintStream out, PrintStream progress,
                           boolean stopOnShutdown) {
    public TrainOptions {
        listeners = List.copyOf(listeners);
        out = out != null ? out : quietStream();
        progress = progress != null ? progress : quietStream();
    }

    /** As the command line trains: header and summary on {@code System.out}, progress on {@code System.err}. */
    public static TrainOptions defaults() {
        return new TrainOptions(false, null, false, List.of(), System.out, System.err, false);
    }

    /** Nothing printed. */
    public TrainOptions quiet() {
        return new TrainOptions(force, stopAfterSteps, allowOtherCpu, listeners, null, null, stopOnShutdown);
    }

    public TrainOptions withForce(boolean f) {
        return new TrainOptions(f, stopAfterSteps, allowOtherCpu, listeners, out, progress, stopOnShutdown);
    }

    public TrainOptions withStopAfterSteps(Long steps) {
        return new TrainOptions(force, steps, allowOtherCpu, listeners, out, progress, stopOnShutdown);
    }

    public TrainOptions withAllowOtherCpu(boolean allow) {
        return new TrainOptions(force, stopAfterSteps, allow, listeners, out, progress, stopOnShutdown);
    }

    /** These options with one more listener, called after those given before. */
    public TrainOptions withListener(TrainingListener listener) {
        List<TrainingListener> l = new ArrayList<>(listeners);
        l.add(listener);
        return new TrainOptions(force, stopAfterSteps, allowOtherCpu, l, out, progress, stopOnShutdown);
    }

    /** Where the header and summary ({@code out}) and the progress lines ({@code progress}) go; null: nowhere. */
    public TrainOptions withConsole(PrintStream o, PrintStream p) {
        return new TrainOptions(force, stopAfterSteps, allowOtherCpu, listeners, o, p, stopOnShutdown);
    }

    /** Whether the JVM's shutdown (Ctrl-C) asks the run to stop and waits for its checkpoint (the command line's). */
    public TrainOptions withStopOnShutdown(boolean stop) {
        return new TrainOptions(force, stopAfterSteps, allowOtherCpu, listeners, out, progress, stop);
    }

    private static PrintStream quietStream() {
        return new PrintStream(OutputStream.nullOutputStream());
    }
}
