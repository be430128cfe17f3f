package io.distill4j.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.methods.Batch;
import io.distill4j.methods.Losses;
import io.distill4j.methods.StepContext;
import io.distill4j.report.MetricsLog;
import io.distill4j.report.Summary;
import io.distill4j.util.Seeds;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The training loop shared by every method: per-batch native-memory scopes, the schedule as a function of
 * the global step, evaluation, metrics, atomic checkpoints and exact resume.
 */
public final class Trainer {
    private final Run run;
    private final Path out;
    private final PrintStream console;
    private final Schedule schedule;
    private final int stepsPerEpoch;
    private final int epochs;

    private long step;
    private final Map<String, Double> best = new LinkedHashMap<>();
    private final Map<String, Double> last = new LinkedHashMap<>();
    private int bestEpoch = -1;
    private double bestPrimary = -1;
    private long trainImages;
    private double trainSeconds;
    private double wallBefore;
    private volatile boolean stopRequested;

    public Trainer(Run run, Path out, PrintStream console) {
        this.run = run;
        this.out = out;
        this.console = console;
        this.stepsPerEpoch = run.trainLoader().batchesPerEpoch();
        this.epochs = run.config().train().epochs();
        this.schedule = Schedule.of(run.config().optim(), stepsPerEpoch, epochs);
    }

    public static Path lastCheckpoint(Path out) { return out.resolve("checkpoints").resolve("last.ckpt"); }

    public static Path bestCheckpoint(Path out) { return out.resolve("checkpoints").resolve("best.ckpt"); }

    /** Asks the loop to checkpoint and stop after the current step (e.g. on Ctrl-C). */
    public void requestStop() { stopRequested = true; }

    /**
     * Trains to the end (or until {@code stopAfterStep} steps are done, writing a checkpoint there) and
     * returns the summary. With {@code resume}, continues exactly from {@code OUT/checkpoints/last.ckpt}.
     */
    public Summary train(boolean resume, Long stopAfterStep) {
        long started = System.nanoTime();
        long metricsLength = -1;
        String configYaml = ConfigLoader.toYaml(run.config().resolved());
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UserError(out + ": cannot create output folder: " + e.getMessage());
        }
        if (resume) {
            metricsLength = restore(configYaml);
        } else {
            writeString(out.resolve("config.yaml"), configYaml);
            if (run.labelNoise() != null) {
                JsonObject noise = new JsonObject();
                noise.addProperty("fraction_changed", (double) run.labelNoise().changed().length / run.train().size());
                noise.add("indices", new com.google.gson.Gson().toJsonTree(run.labelNoise().changed()));
                noise.add("true_labels", new com.google.gson.Gson().toJsonTree(run.labelNoise().trueLabels()));
                writeString(out.resolve("label_noise.json"), noise.toString());
            }
            metricsLength = 0;
        }
        try (MetricsLog metrics = new MetricsLog(MetricsLog.path(out), metricsLength)) {
            loop(metrics, stopAfterStep, started);
        }
        Summary summary = summary(started);
        if (step >= (long) stepsPerEpoch * epochs) {
            summary.write(out.resolve("summary.json"));
        }
        return summary;
    }

    private void loop(MetricsLog metrics, Long stopAfterStep, long started) {
        long total = (long) stepsPerEpoch * epochs;
        int logEvery = run.config().train().logEvery();
        double windowSeconds = 0;
        long windowImages = 0;
        while (step < total) {
            int epoch = (int) (step / stepsPerEpoch);
            Progress bar = new Progress(console, String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs),
                    stepsPerEpoch);
            long epochImages = 0;
            Map<String, Float> lastLosses = Map.of();
            while (step < total && step / stepsPerEpoch == epoch) {
                int index = (int) (step % stepsPerEpoch);
                long t0 = System.nanoTime();
                HostBatch hb = run.trainLoader().batch(epoch, index);
                Map<String, Float> scalars = runStep(hb, epoch);
                double secs = (System.nanoTime() - t0) / 1e9;
                trainSeconds += secs;
                trainImages += hb.size();
                windowSeconds += secs;
                windowImages += hb.size();
                epochImages += hb.size();
                lastLosses = scalars;
                step++;
                if (step % logEvery == 0 || step % stepsPerEpoch == 0) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("event", "train");
                    line.put("epoch", epoch + 1);
                    line.put("step", step);
                    line.put("lr", schedule.lr(step - 1));
                    line.putAll(scalars);
                    line.put("images_per_sec", windowSeconds > 0 ? windowImages / windowSeconds : 0);
                    metrics.write(line);
                    windowSeconds = 0;
                    windowImages = 0;
                }
                bar.update(index + 1, epochImages, lossText(lastLosses));
                boolean epochEnd = step % stepsPerEpoch == 0;
                if (epochEnd) {
                    int done = (int) (step / stepsPerEpoch);
                    if (done % run.config().train().evalEvery() == 0 || done == epochs) {
                        evaluate(done, metrics);
                    }
                }
                boolean stop = stopRequested || (stopAfterStep != null && step >= stopAfterStep);
                if ((epochEnd || stop) && run.config().train().checkpoint()) {
                    saveCheckpoint(metrics, started);
                }
                if (stop) {
                    console.println("stopped at step " + step + "; resume with --resume " + out);
                    return;
                }
            }
        }
    }

    /** One training step in its own native-memory scope; returns the step's loss values. */
    private Map<String, Float> runStep(HostBatch hb, int epoch) {
        try (NDManager bm = run.manager().newSubManager()) {
            Batch batch = new Batch(hb, bm, run.labelled());
            Context ctx = new Context(epoch, bm);
            run.method().step(batch, ctx);
            return ctx.scalars;
        }
    }

    /** Runs training steps one at a time without metrics or checkpoints (tests, benchmarks). */
    public interface StepDriver {
        Map<String, Float> step();
    }

    public StepDriver driver() {
        return () -> {
            int epoch = (int) (step / stepsPerEpoch);
            Map<String, Float> out = runStep(run.trainLoader().batch(epoch, (int) (step % stepsPerEpoch)), epoch);
            step = (step + 1) % Math.max(1, schedule.totalSteps());
            return out;
        };
    }

    private static String lossText(Map<String, Float> losses) {
        StringBuilder sb = new StringBuilder();
        for (var e : losses.entrySet()) {
            sb.append(String.format(Locale.ROOT, "%s %.3f  ", e.getKey(), e.getValue()));
        }
        return sb.toString().trim();
    }

    private void evaluate(int epoch, MetricsLog metrics) {
        Map<String, Evaluator.Score> scores =
                Evaluator.evaluate(run.method(), run.nets(), run.testLoader(), run.manager());
        StringBuilder text = new StringBuilder("  eval");
        for (var e : scores.entrySet()) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("event", "eval");
            line.put("epoch", epoch);
            line.put("network", e.getKey());
            line.put("top1", e.getValue().top1());
            line.put("top5", e.getValue().top5());
            line.put("loss", e.getValue().loss());
            metrics.write(line);
            last.put(e.getKey(), e.getValue().top1());
            best.merge(e.getKey(), e.getValue().top1(), Math::max);
            text.append(String.format(Locale.ROOT, "  %s top1 %.2f%%", e.getKey(), 100 * e.getValue().top1()));
        }
        console.println(text);
        String primary = run.method().primaryOutput(run.nets());
        Double p = last.get(primary);
        if (p != null && p > bestPrimary) {
            bestPrimary = p;
            bestEpoch = epoch;
            if (run.config().train().checkpoint()) {
                checkpoint(metrics.length(), 0).write(bestCheckpoint(out));
            }
        }
    }

    private Checkpoint checkpoint(long metricsLength, double wallNow) {
        Checkpoint c = new Checkpoint();
        JsonObject m = c.meta();
        m.addProperty("format", "distill4j-run");
        m.addProperty("method", run.config().methodName());
        m.addProperty("step", step);
        m.addProperty("epoch", step / stepsPerEpoch);
        m.addProperty("steps_per_epoch", stepsPerEpoch);
        m.addProperty("metrics_bytes", metricsLength);
        m.addProperty("train_images", trainImages);
        m.addProperty("train_seconds", trainSeconds);
        m.addProperty("wall_seconds", wallNow);
        m.addProperty("best_epoch", bestEpoch);
        m.addProperty("best_primary", bestPrimary);
        m.add("best", toJson(best));
        m.add("last", toJson(last));
        m.addProperty("config", ConfigLoader.toYaml(run.config().resolved()));
        for (Net n : run.optimized()) {
            Checkpoints.saveNetwork(c, n);
        }
        run.method().save(c);
        return c;
    }

    private void saveCheckpoint(MetricsLog metrics, long started) {
        double wall = wallBefore + (System.nanoTime() - started) / 1e9;
        checkpoint(metrics.length(), wall).write(lastCheckpoint(out));
    }

    private static JsonObject toJson(Map<String, Double> m) {
        JsonObject o = new JsonObject();
        m.forEach(o::addProperty);
        return o;
    }

    /** Loads the last checkpoint; returns the metrics length to cut back to. */
    private long restore(String configYaml) {
        Checkpoint c = Checkpoint.read(lastCheckpoint(out));
        JsonObject m = c.meta();
        String saved = m.get("config").getAsString();
        if (!saved.equals(configYaml)) {
            throw new UserError(out.resolve("config.yaml") + ": the config differs from the one the run was "
                    + "started with; resume with the same config (omit -c to use the saved one)");
        }
        if (m.get("steps_per_epoch").getAsInt() != stepsPerEpoch) {
            throw new UserError(c.origin() + ": steps per epoch changed");
        }
        step = m.get("step").getAsLong();
        trainImages = m.get("train_images").getAsLong();
        trainSeconds = m.get("train_seconds").getAsDouble();
        wallBefore = m.get("wall_seconds").getAsDouble();
        bestEpoch = m.get("best_epoch").getAsInt();
        bestPrimary = m.get("best_primary").getAsDouble();
        m.getAsJsonObject("best").entrySet().forEach(e -> best.put(e.getKey(), e.getValue().getAsDouble()));
        m.getAsJsonObject("last").entrySet().forEach(e -> last.put(e.getKey(), e.getValue().getAsDouble()));
        for (Net n : run.optimized()) {
            Checkpoints.loadNetwork(c, n, n.name(), true);
        }
        run.method().load(c, run.manager());
        console.println("resumed " + out + " at step " + step + " (epoch " + (step / stepsPerEpoch) + ")");
        return m.get("metrics_bytes").getAsLong();
    }

    private Summary summary(long started) {
        double wall = wallBefore + (System.nanoTime() - started) / 1e9;
        Summary s = new Summary(run.config().methodName(), wall, trainSeconds > 0 ? trainImages / trainSeconds : 0,
                bestEpoch);
        long ensembleParams = 0;
        for (Net n : run.nets()) {
            long params = n.parameterCount();
            ensembleParams += params;
            s.add(n.name(), n.block().arch(), best.getOrDefault(n.name(), Double.NaN),
                    last.getOrDefault(n.name(), Double.NaN), params);
        }
        if (run.nets().size() > 1) { // online methods: the peers' mean is the headline next to the ensemble
            double b = 0;
            double l = 0;
            for (Net n : run.nets()) {
                b += best.getOrDefault(n.name(), Double.NaN);
                l += last.getOrDefault(n.name(), Double.NaN);
            }
            s.add("peers_mean", "mean of " + run.nets().size(), b / run.nets().size(), l / run.nets().size(), 0);
        }
        for (String k : last.keySet()) {
            if (!s.has(k)) {
                s.add(k, k, best.get(k), last.get(k), k.equals("ensemble") ? ensembleParams : 0);
            }
        }
        return s;
    }

    private static void writeString(Path p, String text) {
        try {
            Files.writeString(p, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError(p + ": cannot write: " + e.getMessage());
        }
    }

    /** The step's view of the run for the method. */
    private final class Context implements StepContext {
        private final int epoch;
        private final NDManager batchManager;
        final Map<String, Float> scalars = new LinkedHashMap<>();

        Context(int epoch, NDManager batchManager) {
            this.epoch = epoch;
            this.batchManager = batchManager;
        }

        @Override public Net net(String name) { return run.net(name); }
        @Override public List<Net> trainable() { return run.nets(); }
        @Override public List<Net> teachers() { return run.teachers(); }
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
            Losses losses;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                losses = compute.get();
                NDArray total = losses.total();
                gc.backward(total);
            }
            Map<String, Float> values = losses.scalars();
            for (var e : values.entrySet()) {
                if (!Float.isFinite(e.getValue())) {
                    throw new UserError("loss '" + e.getKey() + "' is " + e.getValue() + " at step " + (step + 1)
                            + " (epoch " + (epoch + 1) + "); lower optim.lr or check the data");
                }
            }
            scalars.putAll(values);
            double lr = schedule.lr(step);
            for (Net n : run.optimized()) {
                if (losses.networks().contains(n.name())) {
                    n.optimizer().step(lr, n.inactiveParameters());
                } else {
                    n.optimizer().zeroGrad(); // a loss of another network may have reached it
                }
            }
            return losses;
        }
    }
}
