package io.distill4j.training;

import ai.djl.ndarray.NDManager;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Stateful;

/** Training images and seconds (steps only) and wall seconds, carried across resumes. */
public final class Clock implements TrainingListener, Stateful {
    private long trainImages;
    private double trainSeconds;
    private double wallBefore;
    private long started = System.nanoTime();

    @Override
    public void onStart(Trainer trainer, boolean resumed) {
        started = System.nanoTime();
    }

    @Override
    public void onStep(Trainer trainer, StepEnd step) {
        trainImages += step.images();
        trainSeconds += step.seconds();
    }

    public double wallSeconds() { return wallBefore + (System.nanoTime() - started) / 1e9; }

    public double trainImagesPerSecond() { return trainSeconds > 0 ? trainImages / trainSeconds : 0; }

    @Override
    public String stateName() { return "clock"; }

    @Override
    public void save(Checkpoint.Section s) {
        s.values().addProperty("train_images", trainImages);
        s.values().addProperty("train_seconds", trainSeconds);
        s.values().addProperty("wall_seconds", wallSeconds());
    }

    @Override
    public void load(Checkpoint.Section s, NDManager manager) {
        trainImages = s.require("train_images").getAsLong();
        trainSeconds = s.require("train_seconds").getAsDouble();
        wallBefore = s.require("wall_seconds").getAsDouble();
    }
}
