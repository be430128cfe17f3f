package io.distill4j.api;

import ai.djl.engine.Engine;
import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import io.distill4j.UserError;
import io.distill4j.config.RunConfig;
import io.distill4j.report.Comparison;
import io.distill4j.report.Experiment;
import io.distill4j.report.HtmlReport;
import io.distill4j.report.Machines;
import io.distill4j.report.MeanInterval;
import io.distill4j.report.ReportOptions;
import io.distill4j.report.RunTable;
import io.distill4j.run.Run;
import io.distill4j.runfolder.RunFolder;
import io.distill4j.runfolder.RunMachines;
import io.distill4j.runfolder.Summary;
import io.distill4j.runtime.Machine;
import io.distill4j.sweep.Cluster;
import io.distill4j.sweep.SweepPlan;
import io.distill4j.sweep.SweepRunner;
import io.distill4j.sweep.SweepSpec;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * distill4j from Java: {@link #train} a config into a run folder, {@link #resume} a stopped run exactly,
 * {@link #sweep} a sweep file and {@link #report} finished runs, as the commands {@code train}, {@code sweep} and
 * {@code report} do (they parse their options and call these). Bad input is a {@code UserError} of one line.
 */
public final class Distill4j {
    /** distill4j's version. */
    public static final String VERSION = "0.1.0";

    private Distill4j() {}

    /**
     * Trains a new run of {@code config} into the folder {@code out} (config.yaml, metrics.jsonl, summary.json,
     * checkpoints/) and returns its result. A folder holding a run is refused unless {@code options.force()}.
     */
    public static TrainResult train(Config config, Path out, TrainOptions options) {
        checkStopAfter(options);
        RunConfig cfg = config.resolve();
        if (options.allowOtherCpu()) {
            throw new UserError("--allow-other-cpu: applies to --resume OUT only");
        }
        RunFolder.prepareNew(out, options.force()); // before any data is read: a finished run is never overwritten
        return run(cfg, config.source(), out, false, options);
    }

    /** Continues the run in {@code out} exactly from its last checkpoint, with the config it was trained with. */
    public static TrainResult resume(Path out, TrainOptions options) {
        return resume(out, null, options);
    }

    /**
     * Continues the run in {@code out} exactly from its last checkpoint; {@code config} null reads the run's own
     * {@code out/config.yaml}.
     */
    public static TrainResult resume(Path out, Config config, TrainOptions options) {
        if (!Files.exists(RunFolder.lastCheckpoint(out))) {
            throw new UserError(RunFolder.lastCheckpoint(out) + ": nothing to resume (no checkpoint)");
        }
        checkStopAfter(options);
        Config c = config != null ? config : Config.fromYaml(out.resolve("config.yaml"));
        RunConfig cfg = c.resolve();
        // before any data is read
        RunMachines.checkResume(out, Machine.current(cfg.train().resolvedThreads()), options.allowOtherCpu());
        return run(cfg, c.source(), out, true, options);
    }

    private static void checkStopAfter(TrainOptions options) {
        Long n = options.stopAfterSteps();
        if (n != null && n < 1) {
            throw new UserError("--stop-after-steps: " + n + " is not a step count (give N >= 1)");
        }
    }

    private static TrainResult run(RunConfig cfg, String source, Path outDir, boolean resume, TrainOptions options) {
        PrintStream console = options.out();
        try (Run run = Run.build(cfg)) {
            console.printf("%s: %s on %s (%d train / %d test images, %d classes), networks: %s%n",
                    source, cfg.methodName(), cfg.data().name(), run.train().size(), run.test().size(),
                    run.train().numClasses(), describe(run));
            run.method().notes().forEach(n -> console.println(cfg.methodName() + ": " + n));
            console.println("output: " + outDir);
            RunFolder folder = new RunFolder(run, outDir, options.progress(), options.listeners());
            Summary summary = options.stopOnShutdown() ? trainStoppingOnShutdown(folder, resume, options)
                    : folder.train(resume, options.stopAfterSteps());
            if (summary != null) {
                summary.print(console, outDir);
            }
            return new TrainResult(outDir, summary);
        }
    }

    /** Trains with a shutdown hook: Ctrl-C asks the loop to stop and waits for its checkpoint before the JVM exits. */
    private static Summary trainStoppingOnShutdown(RunFolder folder, boolean resume, TrainOptions options) {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            folder.trainer().requestStop(); // checkpoint the current step before the JVM exits
            try {
                finished.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        Summary summary;
        try {
            summary = folder.train(resume, options.stopAfterSteps());
        } finally {
            finished.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
        return summary;
    }

    private static String describe(Run run) {
        StringBuilder sb = new StringBuilder();
        run.nets().forEach(n -> sb.append(sb.length() > 0 ? ", " : "").append(n.name()).append("=")
                .append(n.block().arch()));
        return sb.toString();
    }

    /**
     * Runs every run of the sweep file (each validated before the first starts; finished runs skipped, started ones
     * resumed), then compares them into the sweep folder's report.html. A failed run is a {@code UserError} naming it.
     */
    public static SweepResult sweep(Path sweepFile, SweepOptions options) {
        PrintStream console = options.console();
        SweepSpec spec = SweepSpec.read(sweepFile, options.out());
        SweepPlan plan = SweepPlan.expand(spec); // every run validated before any starts
        int parallel = options.parallel();
        int cores = Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
        SweepRunner runner = new SweepRunner(plan, new SweepRunner.Options(parallel, cores, options.shard(),
                options.shards(), options.mainClass(), options.allowOtherCpu()), console);
        boolean local = options.spark() == null;
        Machine here = Machine.current(local ? Math.max(1, cores / parallel) : Math.max(1, options.threads()));
        if (local) { // on a cluster each task's train --resume checks its own machine, and the cluster says how
            plan.checkMachines(here, options.allowOtherCpu());
            console.printf("sweep %s: %d runs (%d before the others), %d in this shard, %d at a time with %d "
                            + "threads each; output %s%n", spec.name(), plan.runs().size(), plan.beforeRuns().size(),
                    runner.shardRuns().size(), parallel, Math.max(1, cores / parallel), spec.out());
        }
        if (options.dryRun()) {
            for (SweepPlan.PlannedRun r : plan.runs()) {
                String state = Files.exists(r.dir().resolve("summary.json")) ? "finished"
                        : Files.exists(r.dir().resolve("checkpoints/last.ckpt")) ? "to resume" : "to train";
                console.printf("  %-40s %-10s -c %s %s%n", r.name(), state, r.config(),
                        String.join(" ", r.overrides().stream().map(o -> "--set " + o).toList()));
            }
            return new SweepResult(spec.out(), List.of(), null);
        }
        plan.manifest(here.commit(), versions(), machine(here)).write();
        List<SweepRunner.Result> results = local ? runner.run() : Cluster.load("--spark").sweep(plan,
                new Cluster.Options(options.spark(), options.threads(), options.conf(), options.mainClass()), console);
        plan.manifest(here.commit(), versions(), machine(here)).write(); // now with each run's machines
        List<String> failed = results.stream().filter(r -> r.outcome() == SweepRunner.Outcome.FAILED)
                .map(r -> r.run().name()).toList();
        if (!failed.isEmpty()) {
            throw new UserError(failed.size() + " run(s) failed: " + String.join(", ", failed) + " (logs in "
                    + spec.out().resolve("logs") + "; fix and run the sweep again to continue)");
        }
        if (options.shards() > 1) {
            console.println("shard " + (options.shard() + 1) + "/" + options.shards() + " done; when every shard's "
                    + "runs are in " + spec.out() + ": distill4j report " + spec.out());
            return new SweepResult(spec.out(), results, null);
        }
        console.println();
        Report report = report(new ReportOptions(List.of(spec.out()), null, null), MeanInterval.Kind.T, console,
                options.log()); // the table, and OUT/report.html
        return new SweepResult(spec.out(), results, report);
    }

    private static Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("distill4j", VERSION);
        v.put("djl", Engine.getDjlVersion());
        v.put("pytorch", Engine.getInstance().getVersion());
        v.put("java", System.getProperty("java.version"));
        return v;
    }

    /** The machine as the manifest records it (a map, as SweepManifest keeps it). */
    private static Map<String, Object> machine(Machine here) {
        return new Gson().fromJson(here.toJson(), new TypeToken<Map<String, Object>>() {}.getType());
    }

    /**
     * Compares the finished runs of a sweep folder or of a run folder (runs NAME-seedN grouped by NAME) against the
     * default reference, writes report.html (into the sweep folder, else {@code report/}) and prints nothing.
     */
    public static Report report(Path runsOrSweepFolder) {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        return report(new ReportOptions(List.of(runsOrSweepFolder), null, null), MeanInterval.Kind.T, quiet, quiet);
    }

    /**
     * Compares finished runs as {@code distill4j report} does: the Markdown table printed to {@code console}, the HTML
     * page (charts also as PNG files beside it) written, and its path printed to {@code log}.
     */
    public static Report report(ReportOptions options, MeanInterval.Kind interval, PrintStream console,
                                PrintStream log) {
        System.setProperty("java.awt.headless", "true");
        Experiment experiment = Experiment.load(options.inputs());
        String ref = options.reference() != null ? options.reference() : experiment.defaultReference();
        Comparison comparison = Comparison.of(experiment, ref,
                options.reference() != null ? "--reference" : "the sweep's reference", interval);
        String table = RunTable.markdown(comparison, Machines.inventory(experiment));
        console.print(table);
        console.flush();
        Path page = HtmlReport.write(experiment, comparison, options.out());
        log.println("report: " + page);
        return new Report(table, page);
    }
}
