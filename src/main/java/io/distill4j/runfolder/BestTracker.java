package io.distill4j.runfolder;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import io.distill4j.loop.Evaluation;
import io.distill4j.loop.Evaluator;
import io.distill4j.loop.Trainer;
import io.distill4j.loop.TrainingListener;
import io.distill4j.run.Run;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Stateful;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Selects the best epoch and keeps the scores reported for it; writes {@code best.ckpt} there (when
 * {@code bestCheckpoint} is not null).
 *
 * <p>With a validation split, the best epoch is the first at which the method's primary output scored highest on
 * validation, and every output's reported "best" is its test top-1 at that epoch: the test set never selects.
 * Without one, selection falls back to the test set (optimistic, and labelled so): the best epoch is where the
 * primary output's test top-1 was highest, and each output's "best" is its own highest test top-1.
 */
public final class BestTracker implements TrainingListener, Stateful {
    private final Path bestCheckpoint;
    private final Map<String, Double> best = new LinkedHashMap<>();
    private final Map<String, Double> last = new LinkedHashMap<>();
    private final Map<String, Double> bestValidation = new LinkedHashMap<>();
    private final Map<String, Double> lastTrain = new LinkedHashMap<>();
    private boolean byValidation;
    private int bestEpoch = -1;
    private double bestPrimary = -1;

    public BestTracker(Path bestCheckpoint) {
        this.bestCheckpoint = bestCheckpoint;
    }

    @Override
    public void onEvaluation(Trainer trainer, Evaluation e) {
        byValidation = e.validation() != null;
        e.test().forEach((k, s) -> last.put(k, s.top1()));
        if (e.train() != null) {
            e.train().forEach((k, s) -> lastTrain.put(k, s.top1()));
        }
        if (!byValidation) {
            e.test().forEach((k, s) -> best.merge(k, s.top1(), Math::max));
        }
        Run run = trainer.run();
        Evaluator.Score p = e.selecting().get(run.method().primaryOutput(run.nets()));
        if (p != null && p.top1() > bestPrimary) {
            bestPrimary = p.top1();
            bestEpoch = e.epoch();
            if (byValidation) {
                best.clear();
                e.test().forEach((k, s) -> best.put(k, s.top1()));
                bestValidation.clear();
                e.validation().forEach((k, s) -> bestValidation.put(k, s.top1()));
            }
            if (bestCheckpoint != null) {
                trainer.checkpoint().write(bestCheckpoint);
            }
        }
    }

    /** Per output: test top-1 at the selected epoch (validation), or its highest test top-1 (no validation). */
    public Map<String, Double> best() { return Collections.unmodifiableMap(best); }

    /** Per output: test top-1 at the last evaluation. */
    public Map<String, Double> last() { return Collections.unmodifiableMap(last); }

    /** Per output: validation top-1 at the selected epoch; empty without a validation split. */
    public Map<String, Double> bestValidation() { return Collections.unmodifiableMap(bestValidation); }

    /** Per output: training-split fit at the last evaluation; empty without {@code train.train_fit}. */
    public Map<String, Double> lastTrain() { return Collections.unmodifiableMap(lastTrain); }

    /** What selected the best epoch: {@code validation}, or {@code test} without a validation split. */
    public String selection() { return byValidation ? "validation" : "test"; }

    /** The epoch (1-based) at which the primary output was best, or -1 before any evaluation. */
    public int bestEpoch() { return bestEpoch; }

    @Override
    public String stateName() { return "best"; }

    @Override
    public void save(Checkpoint.Section s) {
        s.values().addProperty("best_epoch", bestEpoch);
        s.values().addProperty("best_primary", bestPrimary);
        s.values().addProperty("by_validation", byValidation);
        s.values().add("best", toJson(best));
        s.values().add("last", toJson(last));
        s.values().add("best_validation", toJson(bestValidation));
        s.values().add("last_train", toJson(lastTrain));
    }

    @Override
    public void load(Checkpoint.Section s, NDManager manager) {
        bestEpoch = s.require("best_epoch").getAsInt();
        bestPrimary = s.require("best_primary").getAsDouble();
        byValidation = s.values().has("by_validation") && s.values().get("by_validation").getAsBoolean();
        fill(best, s.require("best").getAsJsonObject());
        fill(last, s.require("last").getAsJsonObject());
        fill(bestValidation, s.values().has("best_validation") ? s.values().getAsJsonObject("best_validation") : null);
        fill(lastTrain, s.values().has("last_train") ? s.values().getAsJsonObject("last_train") : null);
    }

    private static void fill(Map<String, Double> m, JsonObject o) {
        m.clear();
        if (o != null) {
            o.entrySet().forEach(e -> m.put(e.getKey(), e.getValue().getAsDouble()));
        }
    }

    private static JsonObject toJson(Map<String, Double> m) {
        JsonObject o = new JsonObject();
        m.forEach(o::addProperty);
        return o;
    }
}
