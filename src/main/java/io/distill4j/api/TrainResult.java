package io.distill4j.api;

import io.distill4j.UserError;
import io.distill4j.runfolder.Summary;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a training run gave: its folder and, once finished, its {@code summary.json} (per network the test top-1 at
 * the selected epoch and at the last, the selected epoch, the cost); a run stopped early ({@code stopAfterSteps})
 * has no summary yet and resumes from its folder.
 */
public record TrainResult(Path folder, Summary summary) {
    /** Whether the run trained to its end (else it stopped early and {@link #summary()} is null). */
    public boolean finished() { return summary != null; }

    /** Each network's scores by name (accuracies are fractions in [0, 1]). */
    public Map<String, Summary.Entry> networks() { return finishedSummary().networks(); }

    /** The test top-1 of {@code network} at the selected epoch (the best checkpoint's). */
    public double bestTop1(String network) { return entry(network).bestTop1(); }

    /** The test top-1 of {@code network} after the last epoch. */
    public double lastTop1(String network) { return entry(network).lastTop1(); }

    /** The selected epoch (1-based), whose checkpoint is {@code checkpoints/best.ckpt}. */
    public int selectedEpoch() { return finishedSummary().bestEpoch(); }

    /** Images forwarded and backpropagated, training seconds and images per second. */
    public Summary.Cost cost() { return finishedSummary().cost(); }

    private Summary.Entry entry(String network) {
        Summary.Entry e = finishedSummary().networks().get(network);
        if (e == null) {
            throw new UserError(folder + ": no network '" + network + "' (the run has "
                    + String.join(", ", finishedSummary().networks().keySet()) + ")");
        }
        return e;
    }

    private Summary finishedSummary() {
        if (summary == null) {
            throw new IllegalStateException(folder + ": the run stopped before its end (resume it to finish)");
        }
        return summary;
    }
}
