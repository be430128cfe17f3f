package io.distill4j.loop;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import io.distill4j.UserError;
import io.distill4j.methods.Losses;
import io.distill4j.run.Run;
import io.distill4j.runtime.Net;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One update of a training step: record the forward passes of {@code compute}, back-propagate the sum of its
 * losses, and step the optimizer of every network that has a loss term (zeroing the gradients of the others).
 * A loss that is not finite stops the run ({@code train.on_nan: stop}, the default) or skips the batch's update
 * ({@code skip_batch}, at most {@code train.max_skipped} times; refused when the forward already left
 * non-finite BatchNorm statistics behind).
 */
final class StepUpdate {
    private final Run run;
    private final Schedule schedule;
    private long skipped;
    private StepTimes times;

    StepUpdate(Run run, Schedule schedule) {
        this.run = run;
        this.schedule = schedule;
    }

    /** Phase times go to {@code t} from now on (bench); null for none. */
    void timeWith(StepTimes t) { this.times = t; }

    /** Batches skipped for a non-finite loss so far (checkpointed by the run state). */
    long skipped() { return skipped; }

    void restoreSkipped(long n) { skipped = n; }

    /**
     * Runs {@code compute} under a gradient collector and applies the update of step {@code step} (0-based, in
     * epoch {@code epoch}); the finite loss values are added to {@code scalars}.
     */
    Losses apply(Supplier<Losses> compute, long step, int epoch, Map<String, Float> scalars) {
        List<Net> optimized = run.optimized();
        for (Net n : optimized) {
            n.beginUpdate();
        }
        Losses losses;
        long t0 = System.nanoTime();
        long t1;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            losses = compute.get();
            NDArray total = losses.total();
            t1 = System.nanoTime();
            gc.backward(total);
        }
        long t2 = System.nanoTime();
        if (times != null) {
            times.forward += t1 - t0;
            times.backward += t2 - t1;
        }
        Map<String, Float> values = losses.scalars();
        for (var e : values.entrySet()) {
            if (!Float.isFinite(e.getValue())) {
                return nonFinite(e.getKey(), e.getValue(), optimized, losses, step, epoch, scalars);
            }
        }
        scalars.putAll(values);
        double lr = schedule.lr(step);
        long t3 = System.nanoTime();
        for (Net n : optimized) {
            if (losses.networks().contains(n.name())) {
                n.optimizer().step(lr, n.endUpdate());
            } else {
                n.endUpdate();
                n.optimizer().zeroGrad(); // a loss of another network may have reached it
            }
        }
        if (times != null) {
            times.optimizer += System.nanoTime() - t3;
        }
        return losses;
    }

    /** A loss term is NaN or infinite: stop (default) or skip the batch's update (train.on_nan). */
    private Losses nonFinite(String term, float value, List<Net> optimized, Losses losses, long step, int epoch,
                             Map<String, Float> scalars) {
        var train = run.config().train();
        String where = "loss '" + term + "' (network/term) is " + value + " at step " + (step + 1) + " (epoch "
                + (epoch + 1) + ")";
        String keys = "optim.lr (" + run.config().optim().lr() + ")" + (term.endsWith("/ce") ? ""
                : ", the weights and temperature under method." + run.config().methodName());
        if (!train.onNan().equals("skip_batch")) {
            throw new UserError(where + "; the last good checkpoint is kept. Likely at fault: " + keys
                    + "; or set train.on_nan: skip_batch to skip such batches");
        }
        for (Net n : optimized) {
            n.endUpdate();
            n.optimizer().zeroGrad(); // no update from this batch
            for (var p : n.block().getParameters()) { // BatchNorm statistics the forward updated
                for (float v : p.getValue().getArray().toFloatArray()) {
                    if (!Float.isFinite(v)) {
                        throw new UserError(where + ": the batch left non-finite values in '" + n.name() + "' ("
                                + p.getKey() + "), so it cannot be skipped; the last good checkpoint is kept. "
                                + "Likely at fault: " + keys);
                    }
                }
            }
        }
        skipped++;
        if (skipped > train.maxSkipped()) {
            throw new UserError(where + ": " + skipped + " batches skipped, more than train.max_skipped ("
                    + train.maxSkipped() + "); the last good checkpoint is kept. Likely at fault: " + keys);
        }
        scalars.put("skipped_batches", (float) skipped);
        return losses;
    }
}
