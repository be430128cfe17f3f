package io.distill4j.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.knowledge.Teachers;
import io.distill4j.methods.Batch;
import io.distill4j.methods.Losses;
import io.distill4j.methods.StepContext;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Net;
import io.distill4j.runtime.Stateful;
import io.distill4j.util.Seeds;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The training loop shared by every method, and nothing else: per-batch native-memory scopes, the schedule
 * as a function of the global step, the update (backward, finite-loss check, optimizer steps of exactly the
 * parameters that took part), evaluation when due, and the one checkpoint format for the run's state. What
 * is done with the results (metrics, progress, best checkpoint, last checkpoint, summary) is done by
 * {@link TrainingListener}s.
 */
public final class Trainer {
    private final Run run;
    private final List<TrainingListener> listeners;
    private final Schedule schedule;
    private final int stepsPerEpoch;
    private final int epochs;
    private long step;
    private long skipped; // batches whose loss was not finite, skipped under train.on_nan: skip_batch
    private volatile boolean stopRequested;
    private final io.distill4j.data.BatchLoader trainFitLoader; // null without train.train_fit
    private final List<Net> allNets; // every network of the run, whose forwards are counted
    private final StepTimes times = new StepTimes();

    public Trainer(Run run, List<TrainingListener> listeners) {
        this.run = run;
        this.listeners = List.copyOf(listeners);
        this.stepsPerEpoch = run.trainLoader().batchesPerEpoch();
        this.epochs = run.config().train().epochs();
        this.schedule = Schedule.of(run.config().optim(), stepsPerEpoch, epochs);
        this.trainFitLoader = run.config().train().trainFit() ? run.trainEvalLoader() : null;
        this.allNets = run.allNets();
    }

    public Run run() { return run; }

    /** Global steps done. */
    public long step() { return step; }

    public int stepsPerEpoch() { return stepsPerEpoch; }

    public int epochs() { return epochs; }

    public long totalSteps() { return (long) stepsPerEpoch * epochs; }

    public boolean finished() { return step >= totalSteps(); }

    /** Batches skipped for a non-finite loss ({@code train.on_nan: skip_batch}). */
    public long skippedBatches() { return skipped; }

    /** Asks the loop to stop after the current step (e.g. on Ctrl-C); listeners checkpoint it. */
    public void requestStop() { stopRequested = true; }

    /**
     * A checkpoint of the whole run state now: the loop's position, the resolved config, every network with
     * its optimizer, the method's state and every stateful listener's.
     */
    public Checkpoint checkpoint() {
        Checkpoint c = new Checkpoint();
        c.meta().addProperty("format", "distill4j-run");
        c.meta().addProperty("method", run.config().methodName());
        c.meta().addProperty("step", step);
        c.meta().addProperty("epoch", step / stepsPerEpoch);
        c.meta().addProperty("steps_per_epoch", stepsPerEpoch);
        c.meta().addProperty("skipped_batches", skipped);
        c.meta().addProperty("config", configYaml());
        run.save(c);
        for (Stateful s : statefulListeners()) {
            s.save(c.section(s.stateName()));
        }
        return c;
    }

    /** Restores a run from a checkpoint written by {@link #checkpoint()} to continue exactly. */
    public void restore(Checkpoint c) {
        if (!c.meta().has("config") || !c.meta().has("step")) {
            throw new UserError(c.origin() + ": not a run checkpoint of distill4j (no step or config)");
        }
        if (!c.meta().get("config").getAsString().equals(configYaml())) {
            throw new UserError(c.origin() + ": the config differs from the one the run was started with; resume "
                    + "with the same config (omit -c to use the saved one)");
        }
        if (c.meta().get("steps_per_epoch").getAsInt() != stepsPerEpoch) {
            throw new UserError(c.origin() + ": steps per epoch changed");
        }
        run.restore(c, true);
        for (Stateful s : statefulListeners()) {
            s.load(c.existingSection(s.stateName()), run.manager());
        }
        step = c.meta().get("step").getAsLong();
        skipped = c.meta().has("skipped_batches") ? c.meta().get("skipped_batches").getAsLong() : 0;
    }

    private String configYaml() {
        return ConfigLoader.toYaml(run.config().resolved());
    }

    private List<Stateful> statefulListeners() {
        List<Stateful> out = new ArrayList<>();
        for (TrainingListener l : listeners) {
            if (l instanceof Stateful s) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Trains to the end, or until {@code stopAfterStep} global steps are done. With {@code from}, first
     * restores the run from that checkpoint and continues exactly.
     */
    public void train(Checkpoint from, Long stopAfterStep) {
        try {
            if (from != null) {
                restore(from);
            }
            for (TrainingListener l : listeners) {
                l.onStart(this, from != null);
            }
            loop(stopAfterStep);
        } finally {
            for (TrainingListener l : listeners) {
                l.close();
            }
        }
    }

    private void loop(Long stopAfterStep) {
        while (step < totalSteps()) {
            int epoch = (int) (step / stepsPerEpoch);
            int index = (int) (step % stepsPerEpoch);
            long t0 = System.nanoTime();
            HostBatch hb = run.trainLoader().batch(epoch, index);
            double lr = schedule.lr(step);
            Map<String, Double> diagnostics = new LinkedHashMap<>();
            long[] before = cost();
            Map<String, Float> losses = runStep(hb, epoch, diagnostics);
            long[] after = cost();
            double secs = (System.nanoTime() - t0) / 1e9;
            step++;
            TrainingListener.StepEnd end = new TrainingListener.StepEnd(epoch, step, lr, losses, hb.size(), secs,
                    diagnostics, after[0] - before[0], after[1] - before[1]);
            for (TrainingListener l : listeners) {
                l.onStep(this, end);
            }
            if (step % stepsPerEpoch == 0) {
                int done = (int) (step / stepsPerEpoch);
                if (done % run.config().train().evalEvery() == 0 || done == epochs) {
                    for (TrainingListener l : listeners) {
                        l.beforeEvaluation(this, done);
                    }
                    Evaluation evaluation = evaluate(done);
                    for (TrainingListener l : listeners) {
                        l.onEvaluation(this, evaluation);
                    }
                }
                for (TrainingListener l : listeners) {
                    l.onEpochEnd(this, done);
                }
            }
            if (step < totalSteps() && (stopRequested || (stopAfterStep != null && step >= stopAfterStep))) {
                for (TrainingListener l : listeners) {
                    l.onStop(this);
                }
                return;
            }
        }
        for (TrainingListener l : listeners) {
            l.onFinish(this);
        }
    }

    /** One training step in its own native-memory scope; returns the step's loss values. */
    private Map<String, Float> runStep(HostBatch hb, int epoch, Map<String, Double> diagnostics) {
        allNets.forEach(n -> n.countForwards(true));
        try (NDManager bm = run.manager().newSubManager()) {
            Batch batch = new Batch(hb, bm, run.labelled());
            Context ctx = new Context(epoch, diagnostics);
            run.method().step(batch, ctx);
            return ctx.scalars;
        } finally {
            allNets.forEach(n -> n.countForwards(false));
        }
    }

    /** Images forwarded and backpropagated so far, over every network of the run. */
    private long[] cost() {
        long[] c = new long[2];
        for (Net n : allNets) {
            c[0] += n.imagesForwarded();
            c[1] += n.imagesBackpropagated();
        }
        return c;
    }

    /** Scores every output on the test split, and on the validation and training splits where the run has them. */
    private Evaluation evaluate(int epoch) {
        String source = "epoch " + epoch;
        var test = Evaluator.evaluate(run.method(), run.nets(), run.testLoader(), run.manager(), source);
        var validation = run.validationLoader() == null ? null
                : Evaluator.evaluate(run.method(), run.nets(), run.validationLoader(), run.manager(), source);
        var train = trainFitLoader == null ? null
                : Evaluator.evaluate(run.method(), run.nets(), trainFitLoader, run.manager(), source);
        return new Evaluation(epoch, test, validation, train);
    }

    /**
     * Where the time of the steps went, in nanoseconds summed over steps: building the batch on the host (data),
     * the methods' forwards and losses (with the host-to-native copies), backward, optimizer steps, and the rest
     * of the step (method work outside its updates, e.g. teacher forwards, knowledge stores).
     */
    public static final class StepTimes {
        long data;
        long forward;
        long backward;
        long optimizer;
        long step;
        long steps;

        public long steps() { return steps; }

        /** Milliseconds per step of each phase, in order: data, forward+loss, backward, optimizer, other. */
        public java.util.LinkedHashMap<String, Double> perStepMillis() {
            var m = new java.util.LinkedHashMap<String, Double>();
            double n = Math.max(1, steps) * 1e6;
            m.put("data", data / n);
            m.put("forward+loss", forward / n);
            m.put("backward", backward / n);
            m.put("optimizer", optimizer / n);
            m.put("other", (step - forward - backward - optimizer) / n);
            return m;
        }

        public void reset() {
            data = forward = backward = optimizer = step = steps = 0;
        }
    }

    /** The phases' times of the steps run so far (see {@link StepTimes}). */
    public StepTimes times() { return times; }

    /** Runs training steps one at a time without listeners (tests, benchmarks). */
    public interface StepDriver {
        Map<String, Float> step();
    }

    public StepDriver driver() {
        return () -> {
            int epoch = (int) (step / stepsPerEpoch);
            long t0 = System.nanoTime();
            HostBatch hb = run.trainLoader().batch(epoch, (int) (step % stepsPerEpoch));
            long t1 = System.nanoTime();
            Map<String, Float> out = runStep(hb, epoch, new LinkedHashMap<>());
            times.data += t1 - t0;
            times.step += System.nanoTime() - t1;
            times.steps++;
            step = (step + 1) % Math.max(1, schedule.totalSteps());
            return out;
        };
    }

    /** The step's view of the run for the method. */
    private final class Context implements StepContext {
        private final int epoch;
        private final Map<String, Double> diagnostics;
        final Map<String, Float> scalars = new LinkedHashMap<>();

        Context(int epoch, Map<String, Double> diagnostics) {
            this.epoch = epoch;
            this.diagnostics = diagnostics;
        }

        @Override
        public void diagnostic(String name, double value) {
            diagnostics.put(name, value);
        }

        @Override public Net net(String name) { return run.net(name); }
        @Override public List<Net> trainable() { return run.nets(); }
        @Override public List<Net> teachers() { return run.teachers(); }
        @Override public Teachers teacherKnowledge() { return new Teachers(run.teachers(), run.teacherOutputs(), step); }
        @Override public long step() { return step; }
        @Override public int epoch() { return epoch; }
        @Override public int stepsPerEpoch() { return stepsPerEpoch; }
        @Override public long totalSteps() { return schedule.totalSteps(); }
        @Override public double lr() { return schedule.lr(step); }

        @Override
        public SplittableRandom rng(String purpose) {
            return Seeds.rng(run.config().seed(), purpose, step);
        }

        @Override
        public Losses update(Supplier<Losses> compute) {
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
            times.forward += t1 - t0;
            times.backward += t2 - t1;
            Map<String, Float> values = losses.scalars();
            for (var e : values.entrySet()) {
                if (!Float.isFinite(e.getValue())) {
                    return nonFinite(e.getKey(), e.getValue(), optimized, losses);
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
            times.optimizer += System.nanoTime() - t3;
            return losses;
        }

        /** A loss term is NaN or infinite: stop (default) or skip the batch's update (train.on_nan). */
        private Losses nonFinite(String term, float value, List<Net> optimized, Losses losses) {
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
}
