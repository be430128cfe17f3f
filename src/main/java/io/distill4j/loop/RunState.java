package io.distill4j.loop;

import com.google.gson.JsonArray;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.config.RunConfig;
import io.distill4j.run.DataContract;
import io.distill4j.run.Run;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Stateful;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checkpoint of a training run, and the one way back from it: the loop's position, the resolved config,
 * every network with its optimizer, the method's state ({@link Run#save}, {@link Run#restore}) and every
 * stateful listener's. A checkpoint restores only the run it was written by: same config, same epoch length.
 */
final class RunState {
    private RunState() {}

    /** The whole state of {@code trainer}'s run now. */
    static Checkpoint checkpoint(Trainer trainer) {
        Run run = trainer.run();
        Checkpoint c = new Checkpoint();
        c.meta().addProperty("format", "distill4j-run");
        c.meta().addProperty("method", run.config().methodName());
        c.meta().addProperty("step", trainer.step());
        c.meta().addProperty("epoch", trainer.step() / trainer.stepsPerEpoch());
        c.meta().addProperty("steps_per_epoch", trainer.stepsPerEpoch());
        c.meta().addProperty("skipped_batches", trainer.skippedBatches());
        c.meta().addProperty("config", configYaml(run));
        c.meta().add("data", DataContract.of(run.train(), run.normalization()).toJson());
        dataIndex(run).forEach((split, f) -> c.meta().addProperty("data_index_" + split, f));
        if (run.skippedImages() > 0) { // so that summary.json counts those met before a resume too
            JsonArray skipped = new JsonArray();
            run.train().files().skipped().stream().sorted().forEach(skipped::add);
            c.meta().add("skipped_images", skipped);
        }
        run.save(c);
        for (Stateful s : statefulListeners(trainer)) {
            s.save(c.section(s.stateName()));
        }
        return c;
    }

    /** Restores {@code trainer}'s run from a checkpoint written by {@link #checkpoint} to continue exactly. */
    static void restore(Trainer trainer, Checkpoint c) {
        Run run = trainer.run();
        if (!c.meta().has("config") || !c.meta().has("step")) {
            throw new UserError(c.origin() + ": not a run checkpoint of distill4j (no step or config)");
        }
        if (!sameRun(c.meta().get("config").getAsString(), run, c.origin())) {
            throw new UserError(c.origin() + ": the config differs from the one the run was started with; resume "
                    + "with the same config (omit -c to use the saved one)");
        }
        for (var e : dataIndex(run).entrySet()) { // a streamed dataset: are its files those the run began with?
            String key = "data_index_" + e.getKey();
            String was = c.meta().has(key) ? c.meta().get(key).getAsString() : null;
            if (was != null && !was.equals(e.getValue())) {
                throw new UserError(c.origin() + ": the " + e.getKey() + " split of data." + (run.config().data().root()
                        != null ? "root " + run.config().data().root() : "name's lists") + " changed since the run "
                        + "began: it has " + e.getValue() + " (fingerprint), the checkpoint " + was + " (files added, "
                        + "removed, renamed, resized or relabelled); resume on the same files, or start a new run");
            }
        }
        if (c.meta().get("steps_per_epoch").getAsInt() != trainer.stepsPerEpoch()) {
            throw new UserError(c.origin() + ": steps per epoch changed");
        }
        run.restore(c, true);
        for (Stateful s : statefulListeners(trainer)) {
            s.load(c.existingSection(s.stateName()), run.manager());
        }
        if (c.meta().has("skipped_images") && run.train().streamed()) {
            c.meta().getAsJsonArray("skipped_images").forEach(f -> run.train().files().skipped().add(f.getAsString()));
        }
        trainer.moveTo(c.meta().get("step").getAsLong());
        trainer.update().restoreSkipped(c.meta().has("skipped_batches")
                ? c.meta().get("skipped_batches").getAsLong() : 0);
    }

    /**
     * Whether the config a checkpoint was written with is this run's: compared as this version resolves it (a key
     * added since counts at its default) and without devices (a run may resume on another device).
     */
    private static boolean sameRun(String saved, Run run, String origin) {
        try {
            RunConfig then = ConfigLoader.loadText(saved, origin, List.of());
            Run.validate(then, p -> false); // resolves the method's options as the run's own config was
            return then.identity().equals(run.config().identity());
        } catch (UserError e) {
            return false; // a config this version cannot read is not this run's
        }
    }

    /** Each streamed split's fingerprint (image count and digest), by split name; empty for in-memory data. */
    private static Map<String, String> dataIndex(Run run) {
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : Map.of("train", run.train(), "test", run.test()).entrySet()) {
            if (e.getValue().streamed()) {
                out.put(e.getKey(), e.getValue().files().fingerprint());
            }
        }
        if (run.validation() != null && run.validation().streamed()) {
            out.put("validation", run.validation().files().fingerprint());
        }
        return out;
    }

    private static String configYaml(Run run) {
        return ConfigLoader.toYaml(run.config().resolved());
    }

    private static List<Stateful> statefulListeners(Trainer trainer) {
        List<Stateful> out = new ArrayList<>();
        for (TrainingListener l : trainer.listeners()) {
            if (l instanceof Stateful s) {
                out.add(s);
            }
        }
        return out;
    }
}
