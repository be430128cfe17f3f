package io.distill4j.loop;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.distill4j.data.BatchLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.knowledge.TeacherViews;
import io.distill4j.knowledge.Teachers;
import io.distill4j.methods.Batch;
import io.distill4j.methods.Losses;
import io.distill4j.methods.StepContext;
import io.distill4j.run.Run;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Net;
import io.distill4j.teacherstore.TeacherOutputsBuilder;
import io.distill4j.teacherstore.TeacherViewsBuilder;
import io.distill4j.util.Seeds;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The training loop shared by every method, and nothing else: per-batch native-memory scopes, the schedule as a
 * function of the global step, the method's step with its update ({@link StepUpdate}), and evaluation when due.
 * What is done with the results (metrics, progress, best checkpoint, last checkpoint, summary) is done by
 * {@link TrainingListener}s; the run's checkpoint is {@link RunState}'s.
 */
public final class Trainer {
    private final Run run;
    private final List<TrainingListener> listeners;
    private final Schedule schedule;
    private final int stepsPerEpoch;
    private final int epochs;
    private final StepUpdate update;
    private final BatchLoader trainFitLoader; // null without train.train_fit
    private final List<Net> optimized; // the networks with an optimizer, whose forwards and backwards are counted
    private long step;
    /** Whether a network draws from libtorch's global generator (a TorchScript module's dropout). */
    private final boolean reseedsLibtorch;
    private static final long LIBTORCH_STREAM = 0x6c6962746f726368L; // "libtorch"
    private volatile boolean stopRequested;

    public Trainer(Run run, List<TrainingListener> listeners) {
        this.run = run;
        this.listeners = List.copyOf(listeners);
        this.stepsPerEpoch = run.trainLoader().batchesPerEpoch();
        this.epochs = run.config().train().epochs();
        this.schedule = Schedule.of(run.config().optim(), stepsPerEpoch, epochs);
        this.update = new StepUpdate(run, schedule);
        this.trainFitLoader = run.config().train().trainFit() ? run.trainEvalLoader() : null;
        this.optimized = run.optimized();
        this.reseedsLibtorch = optimized.stream().anyMatch(n -> n.block().drawsFromLibtorch());
        if (run.config().train().teacherOutputs() != null && run.teacherOutputs() == null) {
            run.attach(TeacherOutputsBuilder.openOrBuild(run)); // before the first step, not inside one
        }
        if (run.config().train().teacherViews() != null && run.teacherViews() == null) {
            TeacherViewsBuilder.attach(run);
        }
    }

    public Run run() { return run; }

    /** Global steps done. */
    public long step() { return step; }

    public int stepsPerEpoch() { return stepsPerEpoch; }

    public int epochs() { return epochs; }

    public long totalSteps() { return (long) stepsPerEpoch * epochs; }

    public boolean finished() { return step >= totalSteps(); }

    /** Batches skipped for a non-finite loss ({@code train.on_nan: skip_batch}). */
    public long skippedBatches() { return update.skipped(); }

    /** Asks the loop to stop after the current step (e.g. on Ctrl-C); listeners checkpoint it. */
    public void requestStop() { stopRequested = true; }

    /** A checkpoint of the whole run state now (see {@link RunState}). */
    public Checkpoint checkpoint() { return RunState.checkpoint(this); }

    List<TrainingListener> listeners() { return listeners; }

    StepUpdate update() { return update; }

    void moveTo(long globalStep) { step = globalStep; }

    void timeWith(StepTimes times) { update.timeWith(times); }

    /**
     * Trains to the end, or until {@code stopAfterStep} global steps are done. With {@code from}, first
     * restores the run from that checkpoint and continues exactly.
     */
    public void train(Checkpoint from, Long stopAfterStep) {
        try {
            if (from != null) {
                RunState.restore(this, from);
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
            long t0 = System.nanoTime();
            HostBatch hb = run.trainLoader().batch(epoch, (int) (step % stepsPerEpoch));
            double lr = schedule.lr(step);
            Map<String, Double> diagnostics = new LinkedHashMap<>();
            long[] before = cost();
            Map<String, Float> losses = runStep(hb, epoch, diagnostics, null);
            long[] after = cost();
            double secs = (System.nanoTime() - t0) / 1e9;
            step++;
            TrainingListener.StepEnd end = new TrainingListener.StepEnd(epoch, step, lr, losses, hb.size(), secs,
                    diagnostics, after[0] - before[0], after[1] - before[1]);
            listeners.forEach(l -> l.onStep(this, end));
            if (step % stepsPerEpoch == 0) {
                int done = (int) (step / stepsPerEpoch);
                if (done % run.config().train().evalEvery() == 0 || done == epochs) {
                    listeners.forEach(l -> l.beforeEvaluation(this, done));
                    Evaluation evaluation = evaluate(done);
                    listeners.forEach(l -> l.onEvaluation(this, evaluation));
                }
                listeners.forEach(l -> l.onEpochEnd(this, done));
            }
            if (step < totalSteps() && (stopRequested || (stopAfterStep != null && step >= stopAfterStep))) {
                listeners.forEach(l -> l.onStop(this));
                return;
            }
        }
        listeners.forEach(l -> l.onFinish(this));
    }

    /**
     * One training step in its own native-memory scope; returns the step's loss values. {@code observer}, when
     * not null, sees the method's returned {@link Losses} before the scope closes.
     */
    Map<String, Float> runStep(HostBatch hb, int epoch, Map<String, Double> diagnostics, Consumer<Losses> observer) {
        optimized.forEach(n -> n.countForwards(true));
        run.teachers().forEach(t -> t.countForwards(true));
        if (reseedsLibtorch) { // a TorchScript student's dropout draws from libtorch's generator: replayable by step
            JniUtils.setSeed(Seeds.derive(run.config().seed(), LIBTORCH_STREAM, step));
        }
        try (NDManager bm = run.manager().newSubManager()) {
            Batch batch = new Batch(hb, bm, run.labelled());
            Context ctx = new Context(epoch, diagnostics, batch);
            Losses losses = run.method().step(batch, ctx);
            if (observer != null) {
                observer.accept(losses);
            }
            return ctx.scalars;
        } finally {
            optimized.forEach(n -> n.countForwards(false));
            run.teachers().forEach(t -> t.countForwards(false));
        }
    }

    /** Images forwarded and backpropagated so far, over every network of the run. */
    private long[] cost() {
        long[] c = new long[2];
        for (Net n : optimized) {
            c[0] += n.imagesForwarded();
            c[1] += n.imagesBackpropagated();
        }
        for (var t : run.teachers()) {
            c[0] += t.imagesForwarded();
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

    /** The step's view of the run for the method. */
    private final class Context implements StepContext {
        private final int epoch;
        private final Map<String, Double> diagnostics;
        private final Batch batch;
        final Map<String, Float> scalars = new LinkedHashMap<>();

        Context(int epoch, Map<String, Double> diagnostics, Batch batch) {
            this.epoch = epoch;
            this.diagnostics = diagnostics;
            this.batch = batch;
        }

        /** The store over views answering for this batch's first view, where the run has one and the view is its. */
        private Teachers.StoredViews storedViews() {
            TeacherViews views = run.teacherViews();
            if (views == null || batch.host().viewCodes() == null) {
                return null;
            }
            return new Teachers.StoredViews(views, batch.images(), run.teacherViewRows(batch.indices()),
                    batch.host().viewCodes());
        }

        @Override public void diagnostic(String name, double value) { diagnostics.put(name, value); }
        @Override public Net net(String name) { return run.net(name); }
        @Override public List<Net> trainable() { return run.nets(); }
        @Override public Teachers teacherKnowledge() {
            return new Teachers(run.teachers(), run.teacherOutputs(), step, storedViews());
        }
        @Override public long step() { return step; }
        @Override public int epoch() { return epoch; }
        @Override public int stepsPerEpoch() { return stepsPerEpoch; }
        @Override public long totalSteps() { return schedule.totalSteps(); }
        @Override public double lr() { return schedule.lr(step); }
        @Override public SplittableRandom rng(String purpose) { return Seeds.rng(run.config().seed(), purpose, step); }
        @Override public Losses update(Supplier<Losses> compute) { return update.apply(compute, step, epoch, scalars); }
    }
}
