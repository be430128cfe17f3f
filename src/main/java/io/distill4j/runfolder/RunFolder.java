package io.distill4j.runfolder;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.loop.BatchNormRecalibration;
import io.distill4j.loop.Trainer;
import io.distill4j.loop.TrainingListener;
import io.distill4j.run.Run;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Machine;
import io.distill4j.util.Folders;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's output folder and the listeners that fill it: {@code config.yaml} (resolved), {@code machines.json}
 * (where it ran: {@link RunMachines}), {@code label_noise.json}, {@code metrics.jsonl}, {@code checkpoints/last.ckpt} and {@code best.ckpt}, {@code
 * tensorboard/} with {@code train.tensorboard}, and {@code summary.json} once the run is finished. {@link #train}
 * starts a run or resumes it exactly.
 */
public final class RunFolder {
    private final Run run;
    private final Path out;
    private final Trainer trainer;
    private final SummaryWriter summary;

    public RunFolder(Run run, Path out, PrintStream console) {
        this(run, out, console, List.of());
    }

    /**
     * The standard listeners, with {@code extra} ones (a caller's progress or metrics) after the progress printer
     * and before the checkpointing listeners, so that a {@code Stateful} one is checkpointed with each step.
     */
    public RunFolder(Run run, Path out, PrintStream console, List<TrainingListener> extra) {
        this.run = run;
        this.out = out;
        boolean checkpoints = run.config().train().checkpoint();
        Clock clock = new Clock();
        BestTracker best = new BestTracker(checkpoints ? bestCheckpoint(out) : null);
        this.summary = new SummaryWriter(out.resolve("summary.json"), best, clock);
        List<TrainingListener> listeners = new ArrayList<>();
        if (run.config().train().bnRecalibration() > 0) {
            listeners.add(new BatchNormRecalibration(run.config().train().bnRecalibration()));
        }
        listeners.add(clock);
        listeners.add(new MetricsLogger(MetricsLog.path(out), run.config().train().logEvery()));
        if (run.config().train().tensorboard()) {
            listeners.add(new TensorBoardListener(TensorBoardListener.folder(out), run.config().train().logEvery()));
        }
        listeners.add(new ProgressPrinter(console, "--resume " + out));
        listeners.addAll(extra);
        listeners.add(best);
        if (checkpoints) {
            listeners.add(new CheckpointWriter(lastCheckpoint(out)));
        }
        listeners.add(summary);
        this.trainer = new Trainer(run, listeners);
    }

    /**
     * Makes {@code out} ready for a new run: refuses a folder holding a finished run (unless {@code force}) or a
     * half-finished one (pointing to {@code --resume}); with {@code force}, removes the old run's files.
     */
    public static void prepareNew(Path out, boolean force) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UserError(out + ": exists and is not a folder; choose another -o");
        }
        boolean finished = Files.exists(out.resolve("summary.json"));
        boolean started = Files.exists(lastCheckpoint(out)) || Files.exists(MetricsLog.path(out))
                || Files.exists(out.resolve("config.yaml"));
        if ((finished || started) && !force) {
            throw new UserError(out + (finished ? ": holds a finished run; choose another -o, or --force to "
                    + "replace it" : ": holds a started run; continue it with --resume " + out
                    + ", or --force to start over"));
        }
        if (force) {
            for (String f : List.of("summary.json", "metrics.jsonl", "config.yaml", "label_noise.json",
                    RunMachines.FILE)) {
                deleteIfExists(out.resolve(f));
            }
            clearFolder(out.resolve("checkpoints"));
            clearFolder(TensorBoardListener.folder(out)); // else TensorBoard would show the old run with the new
        }
        Folders.create(out);
    }

    private static void clearFolder(Path dir) {
        if (Files.isDirectory(dir)) {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UserError(dir + ": cannot clear: " + e.getMessage());
            }
        }
    }

    private static void deleteIfExists(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UserError(p + ": cannot remove: " + e.getMessage());
        }
    }

    public static Path lastCheckpoint(Path out) { return out.resolve("checkpoints").resolve("last.ckpt"); }

    public static Path bestCheckpoint(Path out) { return out.resolve("checkpoints").resolve("best.ckpt"); }

    public Trainer trainer() { return trainer; }

    /**
     * Trains to the end (or until {@code stopAfterStep} steps, checkpointing there) and returns the summary,
     * or null when the run stopped early. With {@code resume}, continues exactly from {@code last.ckpt}.
     */
    public Summary train(boolean resume, Long stopAfterStep) {
        Folders.create(out);
        Checkpoint from = null;
        Machine here = Machine.current(run.config().train().resolvedThreads());
        if (resume) {
            from = Checkpoint.read(lastCheckpoint(out));
            RunMachines.resumed(out, here, from.meta().has("step") ? from.meta().get("step").getAsLong() : -1);
        } else {
            RunMachines.start(out, here);
            writeString(out.resolve("config.yaml"), ConfigLoader.toYaml(run.config().resolved()));
            if (run.labelNoise() != null) {
                JsonObject noise = new JsonObject();
                noise.addProperty("fraction_changed", (double) run.labelNoise().changed().length / run.train().size());
                noise.add("indices", new Gson().toJsonTree(run.labelNoise().changed()));
                noise.add("true_labels", new Gson().toJsonTree(run.labelNoise().trueLabels()));
                writeString(out.resolve("label_noise.json"), noise.toString());
            }
        }
        trainer.train(from, stopAfterStep);
        return summary.summary();
    }

    private static void writeString(Path p, String text) {
        try {
            Files.writeString(p, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError(p + ": cannot write: " + e.getMessage());
        }
    }
}
