package io.distill4j.training;

import io.distill4j.data.HostBatch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training steps one at a time, without listeners, evaluation or checkpoints, each phase timed: what
 * {@code bench} measures and what tests drive. The steps are the loop's own (the same batches, schedule and
 * update); after the last step of the schedule it starts over at step 0.
 */
public final class Stepper {
    private final Trainer trainer;
    private final StepTimes times = new StepTimes();

    public Stepper(Run run) {
        this.trainer = new Trainer(run, List.of());
        trainer.timeWith(times);
    }

    /** Runs the next step; returns its loss values by {@code network/term}. */
    public Map<String, Float> step() {
        long s = trainer.step();
        int epoch = (int) (s / trainer.stepsPerEpoch());
        long t0 = System.nanoTime();
        HostBatch hb = trainer.run().trainLoader().batch(epoch, (int) (s % trainer.stepsPerEpoch()));
        long t1 = System.nanoTime();
        Map<String, Float> out = trainer.runStep(hb, epoch, new LinkedHashMap<>());
        times.data += t1 - t0;
        times.step += System.nanoTime() - t1;
        times.steps++;
        trainer.moveTo((s + 1) % Math.max(1, trainer.totalSteps()));
        return out;
    }

    /** The phases' times of the steps run so far. */
    public StepTimes times() { return times; }
}
