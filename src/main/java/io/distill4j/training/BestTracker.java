package io.distill4j.training;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Stateful;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last and best top-1 of every evaluated output, and the epoch at which the method's primary output was
 * best; writes {@code best.ckpt} there (when {@code bestCheckpoint} is not null).
 */
public final class BestTracker implements TrainingListener, Stateful {
    private final Path bestCheckpoint;
    private final Map<String, Double> best = new LinkedHashMap<>();
    private final Map<String, Double> last = new LinkedHashMap<>();
    private int bestEpoch = -1;
    private double bestPrimary = -1;

    public BestTracker(Path bestCheckpoint) {
        this.bestCheckpoint = bestCheckpoint;
    }

    @Override
    public void onEvaluation(Trainer trainer, int epoch, Map<String, Evaluator.Score> scores) {
        scores.forEach((k, s) -> {
            last.put(k, s.top1());
            best.merge(k, s.top1(), Math::max);
        });
        Run run = trainer.run();
        Double p = last.get(run.method().primaryOutput(run.nets()));
        if (p != null && p > bestPrimary) {
            bestPrimary = p;
            bestEpoch = epoch;
            if (bestCheckpoint != null) {
                trainer.checkpoint().write(bestCheckpoint);
            }
        }
    }

    public Map<String, Double> best() { return Collections.unmodifiableMap(best); }

    public Map<String, Double> last() { return Collections.unmodifiableMap(last); }

    /** The epoch (1-based) at which the primary output was best, or -1 before any evaluation. */
    public int bestEpoch() { return bestEpoch; }

    @Override
    public String stateName() { return "best"; }

    @Override
    public void save(Checkpoint.Section s) {
        s.values().addProperty("best_epoch", bestEpoch);
        s.values().addProperty("best_primary", bestPrimary);
        s.values().add("best", toJson(best));
        s.values().add("last", toJson(last));
    }

    @Override
    public void load(Checkpoint.Section s, NDManager manager) {
        bestEpoch = s.require("best_epoch").getAsInt();
        bestPrimary = s.require("best_primary").getAsDouble();
        best.clear();
        last.clear();
        s.require("best").getAsJsonObject().entrySet().forEach(e -> best.put(e.getKey(), e.getValue().getAsDouble()));
        s.require("last").getAsJsonObject().entrySet().forEach(e -> last.put(e.getKey(), e.getValue().getAsDouble()));
    }

    private static JsonObject toJson(Map<String, Double> m) {
        JsonObject o = new JsonObject();
        m.forEach(o::addProperty);
        return o;
    }
}
