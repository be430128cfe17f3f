package io.distill4j.cli;

import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.config.RunConfig;
import io.distill4j.run.Run;
import io.distill4j.sweep.Cluster;
import io.distill4j.sweep.SweepPlan;
import io.distill4j.sweep.SweepSpec;
import io.distill4j.teacherstore.TeacherOutputsParts;
import io.distill4j.teacherstore.TeacherViewsBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "teacher-outputs", mixinStandardHelpOptions = true,
        description = {"Build a run's store of teacher outputs (train.teacher_outputs, per step; or "
                + "train.teacher_views, over views), or every store of a sweep's runs, ahead of training: in this "
                + "process, or as Apache Spark tasks with --spark MASTER (per-step stores).",
                "The store is built in parts (ranges of steps), each written atomically to FILE.parts/ and skipped "
                        + "when already there, so a rerun continues; the parts are then joined into the file one "
                        + "process writes, byte for byte."})
public final class TeacherOutputsCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, paramLabel = "CONFIG", description = "a run's config (with teachers and "
            + "train.teacher_outputs)")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a config key, as train takes it")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--sweep", paramLabel = "SWEEP", description = "every store the runs of this sweep file read "
            + "(their teachers, e.g. runs of before:, must be trained)")
    Path sweep;

    @Option(names = {"-o", "--out"}, paramLabel = "OUT", description = "with --sweep: the sweep's output folder, "
            + "as sweep -o takes it")
    Path out;

    @Option(names = "--steps-per-part", paramLabel = "N", defaultValue = "500",
            description = "steps of each part (default 500)")
    int perPart;

    @Option(names = "--steps", paramLabel = "FROM:TO", description = "write only the part of steps FROM to TO "
            + "(what each Spark task runs)")
    String steps;

    @Option(names = "--spark", paramLabel = "MASTER", description = "write the parts as Spark tasks on MASTER, to "
            + "a filesystem every executor sees (README, Sweeps on Apache Spark)")
    String spark;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "with --spark: threads of "
            + "each task, and its spark.task.cpus (default 1)")
    int threads;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "with --spark: a Spark setting")
    Map<String, String> conf = new LinkedHashMap<>();

    @Override
    public Integer call() {
        if ((config == null) == (sweep == null)) {
            throw new UserError("teacher-outputs: give -c CONFIG (one run's store) or --sweep SWEEP (every store of "
                    + "a sweep), one of them");
        }
        if (spark == null && (threads != 0 || !conf.isEmpty())) {
            throw new UserError((threads != 0 ? "--threads" : "--conf") + ": applies to --spark MASTER only");
        }
        if (config != null) {
            build(config, overrides);
            return 0;
        }
        if (steps != null) {
            throw new UserError("--steps: applies to -c CONFIG only");
        }
        SweepPlan plan = SweepPlan.expand(SweepSpec.read(sweep, out));
        List<String> seen = new ArrayList<>();
        for (SweepPlan.PlannedRun r : plan.runs()) {
            RunConfig cfg = ConfigLoader.load(r.config(), r.overrides());
            String file = cfg.train().teacherViews() != null ? cfg.train().teacherViews() : cfg.train().teacherOutputs();
            if (file != null && !seen.contains(Path.of(file).toAbsolutePath().normalize().toString())) {
                seen.add(Path.of(file).toAbsolutePath().normalize().toString());
                System.out.println("run " + r.name() + ": " + file);
                build(r.config(), r.overrides());
            }
        }
        if (seen.isEmpty()) {
            System.out.println(sweep + ": no run of the sweep sets train.teacher_outputs or train.teacher_views; "
                    + "nothing to build");
        }
        return 0;
    }

    private void build(Path configFile, List<String> sets) {
        RunConfig cfg = ConfigLoader.load(configFile, sets);
        try (Run run = Run.build(cfg)) {
            if (cfg.train().teacherViews() != null) { // a store over views: one process builds it
                if (steps != null || spark != null) {
                    throw new UserError((steps != null ? "--steps" : "--spark") + ": applies to train.teacher_outputs "
                            + "(a store over views is built by one process)");
                }
                TeacherViewsBuilder.attach(run);
                System.out.println(cfg.train().teacherViews() + ": " + run.teacherViews().images() + " images, "
                        + run.teacherViews().views() + " views each");
                return;
            }
            TeacherOutputsParts parts = new TeacherOutputsParts(run);
            if (steps != null) { // one part, as a Spark task writes it
                int[] r = parts.range(steps);
                System.out.println(parts.folder() + ": steps " + r[0] + " to " + r[1] + ": "
                        + (parts.write(r) ? "written" : "there already, skipped"));
                return;
            }
            if (parts.complete()) {
                System.out.println(parts.file() + ": complete already (" + parts.steps() + " steps)");
                return;
            }
            List<int[]> ranges = parts.ranges(perPart);
            List<int[]> todo = ranges.stream().filter(r -> !parts.written(r)).toList();
            System.out.printf("%s: %d steps in %d parts, %d to write%n", parts.file(), parts.steps(), ranges.size(),
                    todo.size());
            if (spark != null && !todo.isEmpty()) {
                List<String> cmd = new ArrayList<>(List.of("teacher-outputs", "-c",
                        configFile.toAbsolutePath().toString()));
                sets.forEach(o -> cmd.addAll(List.of("--set", o)));
                Cluster.load("--spark").teacherOutputParts(parts.file(), cmd, todo,
                        new Cluster.Options(spark, threads, conf, Main.class.getName()), System.out);
            } else {
                for (int[] r : todo) {
                    parts.write(r);
                    System.out.printf("  steps %d to %d written%n", r[0], r[1]);
                }
            }
            parts.assemble(ranges);
            System.out.println(parts.file() + ": written (" + parts.steps() + " steps)");
        }
    }
}
