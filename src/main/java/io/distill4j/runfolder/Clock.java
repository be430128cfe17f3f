package io.distill4j.runfolder;

import ai.djl.ndarray.NDManager;
import io.distill4j.loop.Trainer;
import io.distill4j.loop.TrainingListener;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Stateful;

/**
 * The cost of a run, carried across resumes: training images and seconds (steps only, evaluation excluded), wall
 * seconds, and the images forwarded and backpropagated over all networks (the work a method does per image).
 */
public final class Clock implements TrainingListener, Stateful {
    private long trainImages;
    private long forwarded;
    private long backpropagated;

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
        forwarded += step.forwarded();
        backpropagated += step.backpropagated();
    }

    public long trainImages() { return trainImages; }

    public double trainSeconds() { return trainSeconds; }

    public long imagesForwarded() { return forwarded; }

    public long imagesBackpropagated() { return backpropagated; }

    public double wallSeconds() { return wallBefore + (System.nanoTime() - started) / 1e9; }

    public double trainImagesPerSecond() { return trainSeconds > 0 ? trainImages / trainSeconds : 0; }

    @Override
    public String stateName() { return "clock"; }

    @Override
    public void save(Checkpoint.Section s) {
        s.values().addProperty("train_images", trainImages);
        s.values().addProperty("train_seconds", trainSeconds);
        s.values().addProperty("wall_seconds", wallSeconds());
        s.values().addProperty("images_forwarded", forwarded);
        s.values().addProperty("images_backpropagated", backpropagated);
    }

    @Override
    public void load(Checkpoint.Section s, NDManager manager) {
        trainImages = s.require("train_images").getAsLong();
        trainSeconds = s.require("train_seconds").getAsDouble();
        wallBefore = s.require("wall_seconds").getAsDouble();
        forwarded = s.values().has("images_forwarded") ? s.values().get("images_forwarded").getAsLong() : 0;
        backpropagated = s.values().has("images_backpropagated") ? s.values().get("images_backpropagated").getAsLong() : 0;
    }
}
