package io.distill4j.runfolder;

import io.distill4j.loop.Trainer;
import io.distill4j.loop.TrainingListener;

import java.nio.file.Path;

/** Writes {@code last.ckpt} (atomically) at the end of every epoch and when the run stops early. */
public final class CheckpointWriter implements TrainingListener {
    private final Path file;

    public CheckpointWriter(Path file) {
        this.file = file;
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch) {
        trainer.checkpoint().write(file);
    }

    @Override
    public void onStop(Trainer trainer) {
        trainer.checkpoint().write(file);
    }
}
