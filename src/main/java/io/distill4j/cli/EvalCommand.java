package io.distill4j.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.distill4j.config.ConfigLoader;
import io.distill4j.config.RunConfig;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.training.Evaluator;
import io.distill4j.training.Run;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate the networks of a checkpoint on the test split of the config's dataset.",
                "With one --checkpoint per network of the config (each holding one network), network i is loaded "
                        + "from checkpoint i: e.g. the ensemble of independently trained runs, evaluated with the "
                        + "config of a run with that many peers."})
public final class EvalCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "CONFIG", description = "YAML config of the run")
    Path config;

    @Option(names = "--checkpoint", required = true, paramLabel = "PATH",
            description = "a checkpoint (e.g. OUT/checkpoints/best.ckpt); repeat it to load network i from the i-th")
    List<Path> checkpoints = new ArrayList<>();

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a config key")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--json", description = "print the scores as one JSON object")
    boolean json;

    @Option(names = "--split", defaultValue = "test", description = "test, validation (the config's data.validation hold-out), or "
            + "train (the training split as trained on: subset and label noise applied, no augmentation)")
    String split;

    @Override
    public Integer call() {
        if (!List.of("test", "validation", "train").contains(split)) {
            throw new io.distill4j.UserError("--split: '" + split + "' is not test, validation or train");
        }
        RunConfig cfg = ConfigLoader.load(config, overrides);
        List<Checkpoint> ckpts = checkpoints.stream().map(Checkpoint::read).toList();
        try (Run run = Run.build(cfg)) {
            if (ckpts.size() == 1) {
                run.restore(ckpts.get(0), false); // the path train and --resume use: the method's networks too
            } else {
                run.restoreEach(ckpts);
            }
            if (split.equals("validation") && run.validationLoader() == null) {
                throw new io.distill4j.UserError(config + ": --split validation needs data.validation in the config "
                        + "(the run held out no validation split)");
            }
            var loader = switch (split) {
                case "train" -> run.trainEvalLoader();
                case "validation" -> run.validationLoader();
                default -> run.testLoader();
            };
            Map<String, Evaluator.Score> scores =
                    Evaluator.evaluate(run.method(), run.nets(), loader, run.manager(),
                            checkpoints.stream().map(Path::toString).collect(Collectors.joining(" + ")));
            if (json) {
                JsonObject o = new JsonObject();
                scores.forEach((k, s) -> {
                    JsonObject e = new JsonObject();
                    e.addProperty("top1", s.top1());
                    e.addProperty("top5", s.top5());
                    e.addProperty("loss", s.loss());
                    o.add(k, e);
                });
                System.out.println(new GsonBuilder().create().toJson(o));
            } else {
                String from = checkpoints.stream().map(Path::toString).collect(Collectors.joining(" + "));
                System.out.printf("%s on %s %s (%d images)%n", from, cfg.data().name(), split,
                        loader.dataset().size());
                scores.forEach((k, s) -> System.out.printf(Locale.ROOT, "%-14s top1 %6.2f%%  top5 %6.2f%%  loss %.4f%n",
                        k, 100 * s.top1(), 100 * s.top5(), s.loss()));
            }
        }
        return 0;
    }
}
