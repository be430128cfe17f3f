package io.distill4j.cli;

import io.distill4j.api.Analyses;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code distill4j analyze}: each subcommand parses its options and calls {@link Analyses}. */
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
            Analyses.calibration(runs.inputs, runs.which, split, bins, System.out);
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
            Analyses.agreement(runs.inputs, runs.which, split, across, System.out);
            return 0;
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
            Analyses.flatness(runs.inputs, runs.which, sigmas, draws, images, seed, System.out);
            return 0;
        }
    }
}
