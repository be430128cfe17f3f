package io.distill4j.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.config.DataConfig;
import io.distill4j.config.RunConfig;
import io.distill4j.data.BatchLoader;
import io.distill4j.data.DatasetSplits;
import io.distill4j.data.Datasets;
import io.distill4j.data.HostBatch;
import io.distill4j.data.ImageDataset;
import io.distill4j.data.Normalization;
import io.distill4j.export.ModelCard;
import io.distill4j.foreign.ModelContract;
import io.distill4j.inference.Classifier;
import io.distill4j.loop.Evaluator;
import io.distill4j.run.DataPipeline;
import io.distill4j.run.Run;
import io.distill4j.runtime.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate the networks of a checkpoint on the test split of the config's dataset.",
                "With --model, an exported model (distill4j export) on the test split of the dataset it was trained "
                        + "on (its config, or -c).",
                "With one --checkpoint per network of the config (each holding one network), network i is loaded "
                        + "from checkpoint i: e.g. the ensemble of independently trained runs, evaluated with the "
                        + "config of a run with that many peers."})
public final class EvalCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, paramLabel = "CONFIG", description = "YAML config of the run (with --model: "
            + "default the config the model carries)")
    Path config;

    @Option(names = "--model", paramLabel = "DIR", description = "instead of --checkpoint: an export folder (onnx or "
            + "djl), run by its runtime")
    Path model;

    @Option(names = "--checkpoint", paramLabel = "PATH",
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
            throw new UserError("--split: '" + split + "' is not test, validation or train");
        }
        if (model != null) {
            if (!checkpoints.isEmpty()) {
                throw new UserError("--model and --checkpoint: give one of them");
            }
            return evalModel();
        }
        if (checkpoints.isEmpty() || config == null) {
            throw new UserError(config == null ? "-c CONFIG is required with --checkpoint"
                    : "--checkpoint PATH (or --model DIR) is required");
        }
        RunConfig cfg = ConfigLoader.load(config, overrides);
        List<Checkpoint> ckpts = checkpoints.stream().map(Checkpoint::read).toList();
        try (Run run = Run.build(cfg)) {
            if (ckpts.size() == 1) {
                run.restore(ckpts.get(0), false); // the path train and --resume use: the method's networks too
            } else {
                run.restoreEach(ckpts);
            }
            var loader = run.evalLoader(split);
            Map<String, Evaluator.Score> scores =
                    Evaluator.evaluate(run.method(), run.nets(), loader, run.manager(),
                            checkpoints.stream().map(Path::toString).collect(Collectors.joining(" + ")));
            print(scores, checkpoints.stream().map(Path::toString).collect(Collectors.joining(" + ")), cfg,
                    loader.dataset().size());
        }
        return 0;
    }

    /**
     * An exported model on the test split: the images as pixels in [0, 1] (the model normalises them), logits from
     * its runtime, scored as every evaluation is.
     */
    private int evalModel() {
        if (!split.equals("test")) {
            throw new UserError("--split " + split + ": an exported model is evaluated on the test split "
                    + "only (the training split as trained on needs the run: --checkpoint)");
        }
        boolean foreign = Classifier.isForeign(model);
        if (foreign && config == null) {
            throw new UserError(model + ": a model file from elsewhere names no dataset: give -c CONFIG "
                    + "(its data: says which dataset; the model's input is taken to be the dataset's unless a "
                    + ModelCard.FILE + " beside the file says otherwise)");
        }
        RunConfig given = config != null ? ConfigLoader.load(config, overrides) : null;
        DatasetSplits splits = given == null ? null
                : Datasets.load(given.data());
        try (Classifier classifier = foreign ? Classifier.loadForeign(model, datasetContract(given, splits),
                given.data().name()) : Classifier.load(model)) {
            ModelCard card = classifier.card();
            RunConfig cfg = given != null ? given
                    : ConfigLoader.loadText(card.config(), model + " (the config of its " + ModelCard.FILE + ")",
                    overrides);
            DataConfig d = cfg.data();
            ImageDataset test = splits != null ? splits.test() : Datasets.load(d).test();
            if (test.channels() != card.channels() || test.height() != card.height() || test.width() != card.width()
                    || test.numClasses() != card.numClasses()) {
                throw new UserError(model + ": takes " + card.channels() + "x" + card.height() + "x"
                        + card.width() + " images of " + card.numClasses() + " classes, but " + d.name() + " has "
                        + test.channels() + "x" + test.height() + "x" + test.width() + " of " + test.numClasses());
            }
            float[] zero = new float[card.channels()];
            float[] one = new float[card.channels()];
            Arrays.fill(one, 1f);
            BatchLoader loader = DataPipeline.evalLoader(cfg, test, new Normalization(zero, one));
            double[] acc = new double[3];
            long count = 0;
            for (int b = 0; b < loader.batchesPerEpoch(); b++) {
                HostBatch hb = loader.batch(0, b);
                float[] probs = Classifier.softmax(classifier.logits(hb.views()[0], hb.size()), card.numClasses());
                for (float p : probs) {
                    if (!Float.isFinite(p)) {
                        throw new UserError(model + ": output is NaN or infinite on evaluation batch " + b);
                    }
                }
                Evaluator.score(probs, hb.labels(), acc);
                count += hb.size();
            }
            Map<String, Evaluator.Score> scores = new LinkedHashMap<>();
            scores.put(card.network(), new Evaluator.Score(acc[0] / count, acc[1] / count, acc[2] / count, count));
            print(scores, model + " (" + classifier.runtime() + ")", cfg, test.size());
        }
        return 0;
    }

    /** A model that takes the dataset's images as a distill4j run does: its size, its normalisation, its classes. */
    static ModelContract datasetContract(RunConfig cfg, DatasetSplits splits) {
        ImageDataset train = splits.train();
        Normalization norm = Datasets.normalization(cfg.data().name(), train);
        return new ModelContract(train.channels(), train.height(), train.width(), norm.mean(),
                norm.std(), false, train.classNames());
    }

    private void print(Map<String, Evaluator.Score> scores, String from, RunConfig cfg, int images) {
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
            System.out.printf("%s on %s %s (%d images)%n", from, cfg.data().name(), split, images);
            scores.forEach((k, s) -> System.out.printf(Locale.ROOT, "%-14s top1 %6.2f%%  top5 %6.2f%%  loss %.4f%n",
                    k, 100 * s.top1(), 100 * s.top5(), s.loss()));
        }
    }
}
