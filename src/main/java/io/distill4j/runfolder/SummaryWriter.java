package io.distill4j.runfolder;

import io.distill4j.loop.Trainer;
import io.distill4j.loop.TrainingListener;
import io.distill4j.run.Run;
import io.distill4j.runtime.Net;

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
        summary.skippedImages(trainer.run().skippedImages());
        summary.notes(trainer.run().method().notes());
        summary.teachers(trainer.run().teacherScores());
        summary.machines(RunMachines.read(file.getParent()));
        summary.write(file);
    }

    /** The summary of a finished run, or null when it stopped early. */
    public Summary summary() { return summary; }

    static Summary build(Run run, BestTracker tracker, Clock clock) {
        Map<String, Double> best = tracker.best();
        Map<String, Double> last = tracker.last();
        Map<String, Double> val = tracker.bestValidation();
        Map<String, Double> fit = tracker.lastTrain();
        Summary s = new Summary(run.config().methodName(), clock.wallSeconds(), clock.trainImagesPerSecond(),
                tracker.bestEpoch());
        s.selection(tracker.selection());
        s.seed(run.config().seed());
        var train = run.config().train();
        s.cost(new Summary.Cost(clock.imagesForwarded(), clock.imagesBackpropagated(), clock.trainSeconds(),
                clock.trainImagesPerSecond(), train.epochs(), (long) run.trainLoader().batchesPerEpoch() * train.epochs()));
        List<Net> nets = run.nets();
        long ensembleParams = 0;
        for (Net n : nets) {
            long params = n.parameterCount();
            ensembleParams += params;
            s.add(n.name(), entry(n.block().arch(), n.name(), params, best, last, val, fit));
        }
        if (nets.size() > 1) { // online methods: the peers' mean is the headline next to the ensemble
            List<String> names = nets.stream().map(Net::name).toList();
            s.add("peers_mean", new Summary.Entry("mean of " + nets.size(), mean(best, names), mean(last, names), 0,
                    mean(val, names), mean(fit, names)));
        }
        for (String k : last.keySet()) {
            if (!s.has(k)) {
                s.add(k, entry(k, k, k.equals("ensemble") ? ensembleParams : 0, best, last, val, fit));
            }
        }
        return s;
    }

    private static Summary.Entry entry(String arch, String name, long params, Map<String, Double> best,
                                       Map<String, Double> last, Map<String, Double> val, Map<String, Double> fit) {
        return new Summary.Entry(arch, best.getOrDefault(name, Double.NaN), last.getOrDefault(name, Double.NaN), params,
                val.getOrDefault(name, Double.NaN), fit.getOrDefault(name, Double.NaN));
    }

    /** The mean over the peers, NaN where any is missing. */
    private static double mean(Map<String, Double> m, List<String> names) {
        double sum = 0;
        for (String n : names) {
            sum += m.getOrDefault(n, Double.NaN);
        }
        return sum / names.size();
    }
}
