package io.distill4j.runfolder;

import ai.djl.ndarray.NDManager;
import io.distill4j.loop.Evaluation;
import io.distill4j.loop.Trainer;
import io.distill4j.loop.TrainingListener;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Stateful;
import io.distill4j.tensorboard.EventFile;
import io.distill4j.tensorboard.proto.Event;
import io.distill4j.tensorboard.proto.Summary;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code train.tensorboard}: writes the scalars of {@code metrics.jsonl} to a TensorBoard event file in {@code
 * OUT/tensorboard/}, at the same steps as {@link MetricsLogger}: {@code train/<network>/<term>}, {@code train/lr}
 * and {@code train/images_per_sec} on each train line, {@code diagnostic/<name>} on each step that records
 * diagnostics, and {@code eval/<split>/<network>/top1}, {@code top5}, {@code loss} at each evaluation (at the global
 * step that ends its epoch). The file's name and length are checkpointed: a resumed run cuts the file back to the
 * checkpoint and appends, so no step is written twice.
 */
public final class TensorBoardListener implements TrainingListener, Stateful {
    private final Path folder;
    private final int logEvery;
    private String fileName; // the checkpoint's file on resume
    private long length; // its length at the checkpoint
    private EventFile file;
    private double windowSeconds;
    private long windowImages;

    public TensorBoardListener(Path folder, int logEvery) {
        this.folder = folder;
        this.logEvery = logEvery;
    }

    /** Where a run's event files go: {@code OUT/tensorboard}. */
    public static Path folder(Path out) {
        return out.resolve("tensorboard");
    }

    @Override
    public void onStart(Trainer trainer, boolean resumed) {
        file = resumed && fileName != null ? EventFile.resume(folder.resolve(fileName), length)
                : EventFile.create(folder);
    }

    @Override
    public void onStep(Trainer trainer, StepEnd s) {
        windowSeconds += s.seconds();
        windowImages += s.images();
        if (MetricsLogger.isTrainLine(s.step(), logEvery, trainer.stepsPerEpoch())) {
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("train/lr", s.lr());
            s.losses().forEach((term, v) -> values.put("train/" + term, (double) v));
            values.put("train/images_per_sec", windowSeconds > 0 ? windowImages / windowSeconds : 0);
            write(s.step(), values);
            windowSeconds = 0;
            windowImages = 0;
        }
        if (!s.diagnostics().isEmpty()) {
            Map<String, Double> values = new LinkedHashMap<>();
            s.diagnostics().forEach((name, v) -> values.put("diagnostic/" + name, v));
            write(s.step(), values);
        }
    }

    @Override
    public void onEvaluation(Trainer trainer, Evaluation evaluation) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (var split : evaluation.splits().entrySet()) {
            for (var e : split.getValue().entrySet()) {
                String prefix = "eval/" + split.getKey() + "/" + e.getKey() + "/";
                values.put(prefix + "top1", e.getValue().top1());
                values.put(prefix + "top5", e.getValue().top5());
                values.put(prefix + "loss", e.getValue().loss());
            }
        }
        write(trainer.step(), values);
        file.flush();
    }

    /** One event at {@code step} holding every value (TensorBoard's scalars are float). */
    private void write(long step, Map<String, Double> values) {
        Summary.Builder summary = Summary.newBuilder();
        values.forEach((tag, v) -> summary.addValue(Summary.Value.newBuilder().setTag(tag).setSimpleValue(v.floatValue())));
        file.write(Event.newBuilder().setWallTime(EventFile.wallTime()).setStep(step).setSummary(summary).build());
    }

    @Override
    public void close() {
        if (file != null) {
            file.close();
            file = null;
        }
    }

    @Override
    public String stateName() { return "tensorboard"; }

    @Override
    public void save(Checkpoint.Section s) {
        s.values().addProperty("file", file != null ? file.path().getFileName().toString() : fileName);
        s.values().addProperty("bytes", file != null ? file.length() : length);
    }

    @Override
    public void load(Checkpoint.Section s, NDManager manager) {
        fileName = s.require("file").getAsString();
        length = s.require("bytes").getAsLong();
    }
}
