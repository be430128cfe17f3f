package io.distill4j.report;

import io.distill4j.runtime.Net;
import io.distill4j.training.BestTracker;
import io.distill4j.training.Clock;
import io.distill4j.training.Run;
import io.distill4j.training.Trainer;
import io.distill4j.training.TrainingListener;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Builds the run's {@link Summary} (best and last top-1 per output, peers' mean, parameters, throughput)
 * and writes {@code summary.json} when every step is done; a stopped run has no summary.
 */
public final class SummaryWriter implements TrainingListener {
    private final Path file;
    private final BestTracker best;
    private final Clock clock;
    private Summary summary;

    public SummaryWriter(Path file, BestTracker best, Clock clock) {
        this.file = file;
        this.best = best;
        this.clock = clock;
    }

    @Override
    public void onFinish(Trainer trainer) {
        summary = build(trainer.run(), best, clock);
        summary.skippedBatches(trainer.skippedBatches());
        summary.notes(trainer.run().method().notes());
        summary.write(file);
    }

    /** The summary of a finished run, or null when it stopped early. */
    public Summary summary() { return summary; }

    static Summary build(Run run, BestTracker tracker, Clock clock) {
        Map<String, Double> best = tracker.best();
        Map<String, Double> last = tracker.last();
        Summary s = new Summary(run.config().methodName(), clock.wallSeconds(), clock.trainImagesPerSecond(),
                tracker.bestEpoch());
        List<Net> nets = run.nets();
        long ensembleParams = 0;
        for (Net n : nets) {
            long params = n.parameterCount();
            ensembleParams += params;
            s.add(n.name(), n.block().arch(), best.getOrDefault(n.name(), Double.NaN),
                    last.getOrDefault(n.name(), Double.NaN), params);
        }
        if (nets.size() > 1) { // online methods: the peers' mean is the headline next to the ensemble
            double b = 0;
            double l = 0;
            for (Net n : nets) {
                b += best.getOrDefault(n.name(), Double.NaN);
                l += last.getOrDefault(n.name(), Double.NaN);
            }
            s.add("peers_mean", "mean of " + nets.size(), b / nets.size(), l / nets.size(), 0);
        }
        for (String k : last.keySet()) {
            if (!s.has(k)) {
                s.add(k, k, best.get(k), last.get(k), k.equals("ensemble") ? ensembleParams : 0);
            }
        }
        return s;
    }
}
