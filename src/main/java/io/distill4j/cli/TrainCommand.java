package io.distill4j.cli;

import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.config.RunConfig;
import io.distill4j.run.Run;
import io.distill4j.runfolder.RunFolder;
import io.distill4j.runfolder.RunMachines;
import io.distill4j.runfolder.Summary;
import io.distill4j.runtime.Machine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the networks of a config with its method; writes config.yaml, metrics.jsonl, "
                + "summary.json and checkpoints/ under the output folder.")
public final class TrainCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, paramLabel = "CONFIG", description = "YAML config (default with --resume: OUT/config.yaml)")
    Path config;

    @Option(names = {"-o", "--out"}, paramLabel = "OUT", description = "output folder (default: runs/<config name>, made unique)")
    Path out;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a config key, e.g. --set train.epochs=3")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", paramLabel = "OUT", description = "continue the run in OUT exactly from its last checkpoint")
    Path resume;

    @Option(names = "--stop-after-steps", paramLabel = "N", description = "checkpoint and stop after N global steps (resume later)")
    Long stopAfter;

    @Option(names = "--force", description = "start over in an output folder that holds a run (its files are replaced)")
    boolean force;

    @Option(names = "--allow-other-cpu", description = "with --resume: continue a run that started on a CPU with "
            + "other vector extensions (its later steps differ in the last bits from an uninterrupted run; "
            + "machines.json and the report say so)")
    boolean allowOtherCpu;

    @Override
    public Integer call() {
        Path outDir;
        Path configFile;
        if (resume != null) {
            outDir = resume;
            configFile = config != null ? config : resume.resolve("config.yaml");
            if (!Files.exists(RunFolder.lastCheckpoint(resume))) {
                throw new UserError(RunFolder.lastCheckpoint(resume) + ": nothing to resume (no checkpoint)");
            }
        } else {
            if (config == null) {
                throw new UserError("train: -c CONFIG is required (or --resume OUT)");
            }
            configFile = config;
            outDir = out != null ? out : defaultOut(config);
        }
        if (stopAfter != null && stopAfter < 1) {
            throw new UserError("--stop-after-steps: " + stopAfter + " is not a step count (give N >= 1)");
        }
        RunConfig cfg = ConfigLoader.load(configFile, overrides);
        if (resume != null) { // before any data is read
            RunMachines.checkResume(resume, Machine.current(cfg.train().resolvedThreads()), allowOtherCpu);
        } else if (allowOtherCpu) {
            throw new UserError("--allow-other-cpu: applies to --resume OUT only");
        }
        if (resume == null) {
            RunFolder.prepareNew(outDir, force); // before any data is read: a finished run is never overwritten
        }
        try (Run run = Run.build(cfg)) {
            System.out.printf("%s: %s on %s (%d train / %d test images, %d classes), networks: %s%n",
                    configFile, cfg.methodName(), cfg.data().name(), run.train().size(), run.test().size(),
                    run.train().numClasses(), describe(run));
            run.method().notes().forEach(n -> System.out.println(cfg.methodName() + ": " + n));
            System.out.println("output: " + outDir);
            RunFolder folder = new RunFolder(run, outDir, System.err);
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                folder.trainer().requestStop(); // Ctrl-C: checkpoint the current step before the JVM exits
                try {
                    finished.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            Summary summary;
            try {
                summary = folder.train(resume != null, stopAfter);
            } finally {
                finished.countDown();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
            if (summary != null) {
                summary.print(System.out, outDir);
            }
        }
        return 0;
    }

    private static String describe(Run run) {
        StringBuilder sb = new StringBuilder();
        run.nets().forEach(n -> sb.append(sb.length() > 0 ? ", " : "").append(n.name()).append("=")
                .append(n.block().arch()));
        return sb.toString();
    }

    static Path defaultOut(Path config) {
        String stem = config.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        Path parent = config.toAbsolutePath().getParent();
        String group = parent != null && parent.getFileName() != null ? parent.getFileName() + "-" : "";
        Path base = Path.of("runs", group + stem);
        Path p = base;
        for (int i = 2; Files.exists(p); i++) {
            p = Path.of(base + "-" + i);
        }
        return p;
    }
}
