package io.distill4j.loop;

import io.distill4j.data.HostBatch;
import io.distill4j.methods.Losses;
import io.distill4j.run.Run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

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

    /** A step's loss values by {@code network/term} and the outputs its method kept, copied to the host. */
    public record Observed(Map<String, Float> losses, Map<String, float[]> outputs) {
        public float[] output(String name) {
            float[] a = outputs.get(name);
            if (a == null) {
                throw new IllegalStateException("no output '" + name + "' (kept: " + outputs.keySet() + ")");
            }
            return a;
        }
    }

    /** Runs the next step; returns its loss values by {@code network/term}. */
    public Map<String, Float> step() {
        return run(null);
    }

    /** Runs the next step; returns its loss values and the outputs the method kept (what tests observe). */
    public Observed observe() {
        Map<String, float[]> outputs = new LinkedHashMap<>();
        Map<String, Float> losses = run(l -> l.outputs().forEach((k, v) -> outputs.put(k, v.toFloatArray())));
        return new Observed(losses, outputs);
    }

    private Map<String, Float> run(Consumer<Losses> observer) {
        long s = trainer.step();
        int epoch = (int) (s / trainer.stepsPerEpoch());
        long t0 = System.nanoTime();
        HostBatch hb = trainer.run().trainLoader().batch(epoch, (int) (s % trainer.stepsPerEpoch()));
        long t1 = System.nanoTime();
        Map<String, Float> out = trainer.runStep(hb, epoch, new LinkedHashMap<>(), observer);
        times.data += t1 - t0;
        times.step += System.nanoTime() - t1;
        times.steps++;
        trainer.moveTo((s + 1) % Math.max(1, trainer.totalSteps()));
        return out;
    }

    /** The phases' times of the steps run so far. */
    public StepTimes times() { return times; }
}
