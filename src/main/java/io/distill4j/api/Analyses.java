package io.distill4j.api;

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

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Analyses of finished runs restored from their checkpoints ({@code distill4j analyze}): calibration, agreement of
 * outputs and flatness of the minimum; each prints a table and writes {@code RUN/analysis/KIND.json}, which
 * {@code report} draws. {@code inputs} are run folders or sweep folders (every run of the sweep); {@code which}
 * checkpoint of each: {@code last} or {@code best}.
 */
public final class Analyses {
    private Analyses() {}

    /** Expected calibration error, NLL, Brier score and the reliability diagram of every output of every run. */
    public static void calibration(List<Path> inputs, String which, String split, int bins, PrintStream out) {
        if (bins < 1 || bins > 1000) {
            throw new UserError("--bins: " + bins + " is not in 1..1000");
        }
        List<RunResult> list = runs(inputs, which);
        out.printf(Locale.ROOT, "%-28s %-12s %7s %7s %7s %7s%n", "run", "output", "top1%", "ECE%", "NLL", "Brier");
        for (RunResult r : list) {
            Path ckpt = checkpoint(r, which);
            try (Run run = restore(r, ckpt)) {
                Predictions p = Predictions.of(run, run.evalLoader(split), ckpt.toString());
                Map<String, Calibration> scores = new LinkedHashMap<>();
                p.outputs().forEach((name, probs) -> scores.put(name, Calibration.of(probs, p.labels(), bins)));
                AnalysisFiles.write(r.dir(), new AnalysisFiles.CalibrationFile(
                        new AnalysisFiles.Source(ckpt.toString(), split), scores));
                scores.forEach((name, c) -> out.printf(Locale.ROOT, "%-28s %-12s %7.2f %7.2f %7.4f %7.4f%n",
                        r.name(), name, 100 * c.top1(), 100 * c.ece(), c.nll(), c.brier()));
            }
        }
        out.println("written: DIR/" + AnalysisFiles.FOLDER + "/calibration.json of each run (charts: "
                + "distill4j report)");
    }

    /**
     * How often outputs agree: every pair of outputs within each run and, with {@code across}, every pair of
     * networks from different runs (printed only).
     */
    public static void agreement(List<Path> inputs, String which, String split, boolean across, PrintStream out) {
        List<RunResult> list = runs(inputs, which);
        Map<String, float[]> all = new LinkedHashMap<>();
        int[] labels = null;
        String header = String.format(Locale.ROOT, "%-44s %9s %8s %8s %7s %7s", "pair", "agree%", "KL(a|b)",
                "KL(b|a)", "both%", "either%");
        out.println(header);
        for (RunResult r : list) {
            Path ckpt = checkpoint(r, which);
            try (Run run = restore(r, ckpt)) {
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
                pairs.forEach(a -> print(out, r.name() + ": " + a.a() + " / " + a.b(), a));
                if (pairs.isEmpty()) {
                    out.println(r.name() + ": one output only (nothing to compare within the run)");
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
                        print(out, a + " / " + b, Agreement.of(a, all.get(a), b, all.get(b), labels));
                    }
                }
            }
        }
        out.println("written: DIR/" + AnalysisFiles.FOLDER + "/agreement.json of each run (pairs within "
                + "the run; charts: distill4j report)");
    }

    private static void print(PrintStream out, String pair, Agreement a) {
        out.printf(Locale.ROOT, "%-44s %9.2f %8.4f %8.4f %7.2f %7.2f%n", pair, 100 * a.agreement(),
                a.klAB(), a.klBA(), 100 * a.bothCorrect(), 100 * a.eitherCorrect());
    }

    /**
     * Width of each network's minimum: the training loss on {@code images} training images (seeded sample) of the
     * network with Gaussian noise of each of {@code sigmas} added to every trainable weight, {@code draws} draws each.
     */
    public static void flatness(List<Path> inputs, String which, double[] sigmas, int draws, int images, long seed,
                                PrintStream out) {
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
        List<RunResult> list = runs(inputs, which);
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-28s %-10s", "run", "network"));
        for (double s : sigmas) {
            head.append(String.format(Locale.ROOT, " %8s", "s=" + s));
        }
        out.println(head + "   (training loss, mean over draws)");
        for (RunResult r : list) {
            Path ckpt = checkpoint(r, which);
            try (Run run = restore(r, ckpt)) {
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
                    out.println(line);
                }
                AnalysisFiles.write(r.dir(), new AnalysisFiles.FlatnessFile(new AnalysisFiles.Source(ckpt.toString(),
                        "train sample"), sample.dataset().size(), draws, seed, nets));
            }
        }
        out.println("written: DIR/" + AnalysisFiles.FOLDER + "/flatness.json of each run (charts: "
                + "distill4j report)");
    }

    /** Every finished run of the inputs, in the report's order (variant by variant). */
    private static List<RunResult> runs(List<Path> inputs, String which) {
        if (!which.equals("last") && !which.equals("best")) {
            throw new UserError("--checkpoint: '" + which + "' is not last or best");
        }
        List<RunResult> out = new ArrayList<>();
        for (Variant v : Experiment.load(inputs).variants()) {
            out.addAll(v.runs());
        }
        return out;
    }

    private static Path checkpoint(RunResult r, String which) {
        Path p = which.equals("best") ? RunFolder.bestCheckpoint(r.dir()) : RunFolder.lastCheckpoint(r.dir());
        if (!Files.isRegularFile(p)) {
            throw new UserError(p + ": missing (the run kept no " + which + " checkpoint"
                    + (which.equals("best") ? "; try --checkpoint last" : "") + ")");
        }
        return p;
    }

    /** The run restored from its checkpoint along the path train, resume and eval share. */
    private static Run restore(RunResult r, Path checkpoint) {
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
