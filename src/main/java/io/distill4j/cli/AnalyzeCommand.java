package io.distill4j.cli;

import io.distill4j.UserError;
import io.distill4j.analysis.Agreement;
import io.distill4j.analysis.AnalysisFiles;
import io.distill4j.analysis.Calibration;
import io.distill4j.analysis.Flatness;
import io.distill4j.analysis.Predictions;
import io.distill4j.config.ConfigLoader;
import io.distill4j.data.BatchLoader;
import io.distill4j.report.Experiment;
import io.distill4j.report.RunResult;
import io.distill4j.report.Variant;
import io.distill4j.run.Run;
import io.distill4j.runfolder.RunFolder;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Net;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"Analyses of finished runs from their checkpoints: calibration, agreement of outputs, flatness "
                + "of the minimum. Each prints a table and writes RUN/analysis/KIND.json, which distill4j report "
                + "draws as a chart."},
        subcommands = {AnalyzeCommand.CalibrationCommand.class, AnalyzeCommand.AgreementCommand.class,
                AnalyzeCommand.FlatnessCommand.class})
public final class AnalyzeCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** The runs to analyse and which checkpoint of each. */
    static final class Runs {
        @Parameters(arity = "1..*", paramLabel = "DIR", description = "run folders or sweep folders (every run of the "
                + "sweep)")
        List<Path> inputs;

        @Option(names = "--checkpoint", defaultValue = "last", paramLabel = "WHICH",
                description = "last (default) or best (the selected epoch's checkpoint)")
        String which;

        /** Every finished run of the inputs, in the report's order (variant by variant). */
        List<RunResult> runs() {
            if (!which.equals("last") && !which.equals("best")) {
                throw new UserError("--checkpoint: '" + which + "' is not last or best");
            }
            List<RunResult> out = new ArrayList<>();
            for (Variant v : Experiment.load(inputs).variants()) {
                out.addAll(v.runs());
            }
            return out;
        }

        Path checkpoint(RunResult r) {
            Path p = which.equals("best") ? RunFolder.bestCheckpoint(r.dir()) : RunFolder.lastCheckpoint(r.dir());
            if (!Files.isRegularFile(p)) {
                throw new UserError(p + ": missing (the run kept no " + which + " checkpoint"
                        + (which.equals("best") ? "; try --checkpoint last" : "") + ")");
            }
            return p;
        }

        /** The run restored from its checkpoint along the path train, resume and eval share. */
        Run restore(RunResult r, Path checkpoint) {
            Path config = r.dir().resolve("config.yaml");
            if (!Files.isRegularFile(config)) {
                throw new UserError(config + ": missing (a run folder holds the config it was trained with)");
            }
            Run run = Run.build(ConfigLoader.load(config, List.of()));
            try {
                run.restore(Checkpoint.read(checkpoint), false);
            } catch (RuntimeException e) {
                run.close();
                throw e;
            }
            return run;
        }
    }


    @Command(name = "calibration", mixinStandardHelpOptions = true,
            description = "Expected calibration error (equal-width confidence bins), negative log-likelihood, Brier "
                    + "score and the reliability diagram of every output (each network, the ensemble).")
    static final class CalibrationCommand implements Callable<Integer> {
        @Mixin
        Runs runs = new Runs();

        @Option(names = "--split", defaultValue = "test", description = "test (default), validation or train")
        String split;

        @Option(names = "--bins", defaultValue = "15", description = "confidence bins (default 15)")
        int bins;

        @Override
        public Integer call() {
            if (bins < 1 || bins > 1000) {
                throw new UserError("--bins: " + bins + " is not in 1..1000");
            }
            List<RunResult> list = runs.runs();
            System.out.printf(Locale.ROOT, "%-28s %-12s %7s %7s %7s %7s%n", "run", "output", "top1%", "ECE%", "NLL",
                    "Brier");
            for (RunResult r : list) {
                Path ckpt = runs.checkpoint(r);
                try (Run run = runs.restore(r, ckpt)) {
                    Predictions p = Predictions.of(run, run.evalLoader(split), ckpt.toString());
                    Map<String, Calibration> out = new LinkedHashMap<>();
                    p.outputs().forEach((name, probs) -> out.put(name, Calibration.of(probs, p.labels(), bins)));
                    AnalysisFiles.write(r.dir(), new AnalysisFiles.CalibrationFile(
                            new AnalysisFiles.Source(ckpt.toString(), split), out));
                    out.forEach((name, c) -> System.out.printf(Locale.ROOT, "%-28s %-12s %7.2f %7.2f %7.4f %7.4f%n",
                            r.name(), name, 100 * c.top1(), 100 * c.ece(), c.nll(), c.brier()));
                }
            }
            System.out.println("written: DIR/" + AnalysisFiles.FOLDER + "/calibration.json of each run (charts: "
                    + "distill4j report)");
            return 0;
        }
    }

    @Command(name = "agreement", mixinStandardHelpOptions = true,
            description = {"How often outputs agree: the fraction of images with the same top-1 class, the mean KL "
                    + "divergence both ways, both right, at least one right. Within each run: every pair of its "
                    + "outputs (peers, and each peer with the ensemble). Across the runs given (with --across): "
                    + "every pair of networks from different runs, e.g. independently trained baselines, to compare "
                    + "with peers trained together."})
    static final class AgreementCommand implements Callable<Integer> {
        @Mixin
        Runs runs = new Runs();

        @Option(names = "--split", defaultValue = "test", description = "test (default), validation or train")
        String split;

        @Option(names = "--across", description = "also compare networks of different runs (printed only)")
        boolean across;

        @Override
        public Integer call() {
            List<RunResult> list = runs.runs();
            Map<String, float[]> all = new LinkedHashMap<>();
            int[] labels = null;
            String header = String.format(Locale.ROOT, "%-44s %9s %8s %8s %7s %7s", "pair", "agree%", "KL(a|b)",
                    "KL(b|a)", "both%", "either%");
            System.out.println(header);
            for (RunResult r : list) {
                Path ckpt = runs.checkpoint(r);
                try (Run run = runs.restore(r, ckpt)) {
                    Predictions p = Predictions.of(run, run.evalLoader(split), ckpt.toString());
                    if (labels != null && !Arrays.equals(labels, p.labels())) {
                        throw new UserError(r.dir() + ": its " + split + " split differs from the other runs' "
                                + "(another dataset, subset or hold-out): --across compares the same images only");
                    }
                    labels = p.labels();
                    List<String> names = new ArrayList<>(p.outputs().keySet());
                    List<Agreement> pairs = new ArrayList<>();
                    for (int i = 0; i < names.size(); i++) {
                        for (int j = i + 1; j < names.size(); j++) {
                            pairs.add(Agreement.of(names.get(i), p.output(names.get(i)), names.get(j),
                                    p.output(names.get(j)), p.labels()));
                        }
                    }
                    AnalysisFiles.write(r.dir(), new AnalysisFiles.AgreementFile(
                            new AnalysisFiles.Source(ckpt.toString(), split), pairs));
                    pairs.forEach(a -> print(r.name() + ": " + a.a() + " / " + a.b(), a));
                    if (pairs.isEmpty()) {
                        System.out.println(r.name() + ": one output only (nothing to compare within the run)");
                    }
                    if (across) {
                        for (Net n : run.nets()) {
                            all.put(r.name() + "/" + n.name(), p.output(n.name()));
                        }
                    }
                }
            }
            if (across) {
                List<String> keys = new ArrayList<>(all.keySet());
                for (int i = 0; i < keys.size(); i++) {
                    for (int j = i + 1; j < keys.size(); j++) {
                        String a = keys.get(i);
                        String b = keys.get(j);
                        if (!a.substring(0, a.lastIndexOf('/')).equals(b.substring(0, b.lastIndexOf('/')))) {
                            print(a + " / " + b, Agreement.of(a, all.get(a), b, all.get(b), labels));
                        }
                    }
                }
            }
            System.out.println("written: DIR/" + AnalysisFiles.FOLDER + "/agreement.json of each run (pairs within "
                    + "the run; charts: distill4j report)");
            return 0;
        }

        private static void print(String pair, Agreement a) {
            System.out.printf(Locale.ROOT, "%-44s %9.2f %8.4f %8.4f %7.2f %7.2f%n", pair, 100 * a.agreement(),
                    a.klAB(), a.klBA(), 100 * a.bothCorrect(), 100 * a.eitherCorrect());
        }
    }

    @Command(name = "flatness", mixinStandardHelpOptions = true,
            description = {"Width of each network's minimum (the DML article): Gaussian noise of standard deviation "
                    + "sigma added to every trainable weight, several draws per sigma, and the training loss "
                    + "(cross-entropy on a fixed sample of the training split as trained on, no augmentation) of the "
                    + "perturbed network. The same noise for every network of the same architecture."})
    static final class FlatnessCommand implements Callable<Integer> {
        @Mixin
        Runs runs = new Runs();

        @Option(names = "--sigmas", split = ",", paramLabel = "S",
                defaultValue = "0,0.01,0.02,0.03,0.04,0.05,0.06", description = "noise levels (default "
                + "0,0.01,...,0.06)")
        double[] sigmas;

        @Option(names = "--draws", defaultValue = "5", description = "noise draws per sigma (default 5)")
        int draws;

        @Option(names = "--images", defaultValue = "2000", description = "training images the loss is measured on "
                + "(default 2000; at most the training split)")
        int images;

        @Option(names = "--seed", defaultValue = "0", description = "seed of the sample and of the noise (default 0)")
        long seed;

        @Override
        public Integer call() {
            if (draws < 1 || draws > 1000) {
                throw new UserError("--draws: " + draws + " is not in 1..1000");
            }
            if (images < 1) {
                throw new UserError("--images: " + images + " is not a positive count");
            }
            for (double s : sigmas) {
                if (!(s >= 0) || s > 100) {
                    throw new UserError("--sigmas: " + s + " is not a standard deviation in [0, 100]");
                }
            }
            List<RunResult> list = runs.runs();
            StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-28s %-10s", "run", "network"));
            for (double s : sigmas) {
                head.append(String.format(Locale.ROOT, " %8s", "s=" + s));
            }
            System.out.println(head + "   (training loss, mean over draws)");
            for (RunResult r : list) {
                Path ckpt = runs.checkpoint(r);
                try (Run run = runs.restore(r, ckpt)) {
                    BatchLoader sample = Flatness.sample(run, images, seed);
                    List<Flatness> nets = new ArrayList<>();
                    for (Net n : run.nets()) {
                        Flatness f = Flatness.measure(run, n, sample, sigmas, draws, seed);
                        nets.add(f);
                        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-28s %-10s", r.name(),
                                n.name()));
                        for (double m : f.meanLoss()) {
                            line.append(String.format(Locale.ROOT, " %8.4f", m));
                        }
                        System.out.println(line);
                    }
                    AnalysisFiles.write(r.dir(), new AnalysisFiles.FlatnessFile(new AnalysisFiles.Source(ckpt.toString(),
                            "train sample"), sample.dataset().size(), draws, seed, nets));
                }
            }
            System.out.println("written: DIR/" + AnalysisFiles.FOLDER + "/flatness.json of each run (charts: "
                    + "distill4j report)");
            return 0;
        }
    }
}
