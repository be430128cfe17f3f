package io.distill4j.cli;

import io.distill4j.UserError;
import io.distill4j.api.Config;
import io.distill4j.api.Distill4j;
import io.distill4j.api.TrainOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code distill4j train}: parses its options and calls {@link Distill4j#train} or {@link Distill4j#resume}. */
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
        TrainOptions options = TrainOptions.defaults().withForce(force).withStopAfterSteps(stopAfter)
                .withAllowOtherCpu(allowOtherCpu).withStopOnShutdown(true);
        if (resume != null) {
            Path file = config != null ? config : resume.resolve("config.yaml");
            Distill4j.resume(resume, Config.fromYaml(file, overrides), options); // read once resumable
            return 0;
        }
        if (config == null) {
            throw new UserError("train: -c CONFIG is required (or --resume OUT)");
        }
        Distill4j.train(Config.fromYaml(config, overrides), out != null ? out : defaultOut(config), options);
        return 0;
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
