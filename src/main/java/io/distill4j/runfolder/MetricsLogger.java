package io.distill4j.runfolder;

import ai.djl.ndarray.NDManager;
import io.distill4j.loop.Evaluation;
import io.distill4j.loop.Trainer;
import io.distill4j.loop.TrainingListener;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Stateful;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes {@code metrics.jsonl}: a {@code train} line every {@code log_every} steps and at each epoch's end
 * (learning rate, loss terms, images/s over the window), an {@code eval} line per split, output and evaluation
 * ({@code split}: test, validation, train). Its
 * length is checkpointed, so a resumed run cuts the log back to the checkpoint and continues it exactly.
 */
public final class MetricsLogger implements TrainingListener, Stateful {
    private final Path file;
    private final int logEvery;
    private long length; // where the log resumes: 0 for a new run, the checkpoint's length on resume
    private MetricsLog log;
    private double windowSeconds;
    private long windowImages;

    public MetricsLogger(Path file, int logEvery) {
        this.file = file;
        this.logEvery = logEvery;
    }

    @Override
    public void onStart(Trainer trainer, boolean resumed) {
        log = new MetricsLog(file, resumed ? length : 0);
    }

    @Override
    public void onStep(Trainer trainer, StepEnd s) {
        windowSeconds += s.seconds();
        windowImages += s.images();
        if (isTrainLine(s.step(), logEvery, trainer.stepsPerEpoch())) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("event", "train");
            line.put("epoch", s.epoch() + 1);
            line.put("step", s.step());
            line.put("lr", s.lr());
            line.putAll(s.losses());
            line.put("images_per_sec", windowSeconds > 0 ? windowImages / windowSeconds : 0);
            log.write(line);
            windowSeconds = 0;
            windowImages = 0;
        }
        if (!s.diagnostics().isEmpty()) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("event", "diagnostic");
            line.put("epoch", s.epoch() + 1);
            line.put("step", s.step());
            line.putAll(s.diagnostics());
            log.write(line);
        }
    }

    /** Whether the step ending at global step {@code step} logs a train line: every {@code logEvery}, each epoch end. */
    static boolean isTrainLine(long step, int logEvery, int stepsPerEpoch) {
        return step % logEvery == 0 || step % stepsPerEpoch == 0;
    }

    @Override
    public void onEvaluation(Trainer trainer, Evaluation evaluation) {
        for (var split : evaluation.splits().entrySet()) {
            for (var e : split.getValue().entrySet()) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("event", "eval");
                line.put("epoch", evaluation.epoch());
                line.put("split", split.getKey());
                line.put("network", e.getKey());
                line.put("top1", e.getValue().top1());
                line.put("top5", e.getValue().top5());
                line.put("loss", e.getValue().loss());
                log.write(line);
            }
        }
    }

    @Override
    public void close() {
        if (log != null) {
            log.close();
            log = null;
        }
    }

    @Override
    public String stateName() { return "metrics"; }

    @Override
    public void save(Checkpoint.Section s) {
        s.values().addProperty("bytes", log != null ? log.length() : length);
    }

    @Override
    public void load(Checkpoint.Section s, NDManager manager) {
        length = s.require("bytes").getAsLong();
    }
}
