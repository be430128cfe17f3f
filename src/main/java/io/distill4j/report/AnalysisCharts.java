package io.distill4j.report;

import io.distill4j.analysis.Agreement;
import io.distill4j.analysis.AnalysisFiles;
import io.distill4j.analysis.Calibration;
import io.distill4j.analysis.Flatness;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Charts of the analyses the runs hold ({@code distill4j analyze}, files in RUN/analysis/): flatness (training
 * loss against weight noise), a reliability diagram and the agreement of outputs, per variant over its seeds.
 * A chart appears when at least one run of the report has that analysis.
 */
final class AnalysisCharts {
    /** Fewest predictions (pooled over seeds) for a bin to be drawn in the reliability diagram. */
    static final int MIN_BIN = 20;

    private AnalysisCharts() {}

    static List<Figure> of(Experiment e, Map<String, Color> colours) {
        List<Figure> out = new ArrayList<>();
        Figure f = flatness(e, colours);
        if (f != null) {
            out.add(f);
        }
        f = calibration(e, colours);
        if (f != null) {
            out.add(f);
        }
        f = agreement(e, colours);
        if (f != null) {
            out.add(f);
        }
        return out;
    }

    /** Mean over draws, then mean and min/max over seeds, of each variant's network at each sigma. */
    static Figure flatness(Experiment e, Map<String, Color> colours) {
        XYChart chart = ChartStyle.xy(900, 480, "Flatness: training loss under weight noise",
                "standard deviation of the Gaussian noise added to every weight", "training cross-entropy");
        chart.getStyler().setYAxisLogarithmic(true);
        boolean any = false;
        String sample = "";
        for (Variant v : e.variants()) {
            Map<String, List<Flatness>> byNet = new LinkedHashMap<>();
            for (RunResult r : v.runs()) {
                AnalysisFiles.FlatnessFile file = AnalysisFiles.readFlatness(r.dir());
                if (file != null) {
                    sample = file.images() + " training images, " + file.draws() + " draws per level";
                    file.networks().forEach(fl -> byNet.computeIfAbsent(fl.network(), k -> new ArrayList<>()).add(fl));
                }
            }
            int k = 0;
            for (var entry : byNet.entrySet()) {
                List<Flatness> runs = entry.getValue();
                double[] sigmas = runs.get(0).sigmas();
                if (runs.stream().anyMatch(fl -> !Arrays.equals(fl.sigmas(), sigmas))) {
                    continue; // seeds analysed at different levels: not averaged
                }
                double[] mean = new double[sigmas.length];
                double[] lo = new double[sigmas.length];
                double[] hi = new double[sigmas.length];
                for (int s = 0; s < sigmas.length; s++) {
                    List<Double> perSeed = new ArrayList<>();
                    for (Flatness fl : runs) {
                        perSeed.add(fl.meanLoss()[s]);
                    }
                    mean[s] = MeanStd.of(perSeed).mean();
                    lo[s] = perSeed.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
                    hi[s] = perSeed.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
                }
                Color c = colours.get(v.name());
                String name = byNet.size() > 1 || !entry.getKey().equals("student")
                        ? v.name() + " " + entry.getKey() : v.name();
                if (runs.size() > 1) {
                    ChartStyle.band(chart, name + " band", sigmas, lo, hi, c, 40);
                }
                XYSeries line = chart.addSeries(name + " (" + runs.size() + (runs.size() == 1 ? " seed)" : " seeds)"),
                        sigmas, mean);
                style(line, c, k++);
                any = true;
            }
        }
        if (!any) {
            return null;
        }
        return new Figure("flatness.png", "Flatness of the minima", "Training loss (log scale) of each network with "
                + "independent Gaussian noise of growing standard deviation added to all its weights (" + sample
                + "; mean over draws, then over seeds; the band runs from the lowest to the highest seed). A flatter "
                + "curve is a wider minimum, the DML article's explanation of why peers generalise better. From "
                + "distill4j analyze flatness.", ChartStyle.png(chart));
    }

    /** Reliability diagram: per variant and output, the bins pooled over seeds; the ECE mean over seeds in the legend. */
    static Figure calibration(Experiment e, Map<String, Color> colours) {
        XYChart chart = ChartStyle.xy(900, 560, "Reliability diagram", "confidence (largest probability)",
                "accuracy");
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(1.0);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        XYSeries diagonal = chart.addSeries("perfect calibration", new double[] {0, 1}, new double[] {0, 1});
        diagonal.setLineColor(new Color(0x999999));
        diagonal.setMarker(SeriesMarkers.NONE);
        diagonal.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                new float[] {4f, 4f}, 0f));
        boolean any = false;
        String split = "";
        List<String> summary = new ArrayList<>();
        for (Variant v : e.variants()) {
            Map<String, List<Calibration>> byOutput = new LinkedHashMap<>();
            for (RunResult r : v.runs()) {
                AnalysisFiles.CalibrationFile file = AnalysisFiles.readCalibration(r.dir());
                if (file != null) {
                    split = file.source().split();
                    file.outputs().forEach((name, c) -> byOutput.computeIfAbsent(name, k -> new ArrayList<>()).add(c));
                }
            }
            int k = 0;
            for (var entry : byOutput.entrySet()) {
                List<Calibration> runs = entry.getValue();
                int bins = runs.get(0).bins().size();
                if (runs.stream().anyMatch(c -> c.bins().size() != bins)) {
                    continue;
                }
                List<Double> xs = new ArrayList<>();
                List<Double> ys = new ArrayList<>();
                for (int b = 0; b < bins; b++) {
                    long n = 0;
                    double conf = 0;
                    double acc = 0;
                    for (Calibration c : runs) {
                        Calibration.Bin bin = c.bins().get(b);
                        if (bin.count() > 0) {
                            n += bin.count();
                            conf += bin.count() * bin.confidence();
                            acc += bin.count() * bin.accuracy();
                        }
                    }
                    if (n >= MIN_BIN) { // a point from a handful of predictions is noise
                        xs.add(conf / n);
                        ys.add(acc / n);
                    }
                }
                MeanStd ece = MeanStd.of(runs.stream().map(c -> 100 * c.ece()).toList());
                MeanStd nll = MeanStd.of(runs.stream().map(Calibration::nll).toList());
                String name = byOutput.size() > 1 || !entry.getKey().equals("student")
                        ? v.name() + " " + entry.getKey() : v.name();
                String label = String.format(Locale.ROOT, "%s, ECE %.2f%%", name, ece.mean());
                summary.add(String.format(Locale.ROOT, "%s: ECE %.2f ± %.2f%%, NLL %.4f ± %.4f (%d %s)", name,
                        ece.mean(), ece.std(), nll.mean(), nll.std(), runs.size(), runs.size() == 1 ? "seed" : "seeds"));
                XYSeries line = chart.addSeries(label, xs, ys);
                Color c = colours.get(v.name());
                style(line, c, k++);
                any = true;
            }
        }
        if (!any) {
            return null;
        }
        return new Figure("calibration.png", "Calibration", "Accuracy against confidence on the " + split + " split, "
                + "each output's confidence bins pooled over seeds (points at each bin's mean confidence, bins "
                + "with fewer than " + MIN_BIN + " predictions left out; below the diagonal: over-confident). " + String.join("; ", summary) + " (mean ± std over seeds). From "
                + "distill4j analyze calibration.", ChartStyle.png(chart));
    }

    /** Agreement of each pair of outputs within a run: mean ± std over seeds, each seed a dot. */
    static Figure agreement(Experiment e, Map<String, Color> colours) {
        List<IntervalChart.Row> rows = new ArrayList<>();
        String split = "";
        for (Variant v : e.variants()) {
            Map<String, List<Agreement>> byPair = new LinkedHashMap<>();
            for (RunResult r : v.runs()) {
                AnalysisFiles.AgreementFile file = AnalysisFiles.readAgreement(r.dir());
                if (file != null) {
                    split = file.source().split();
                    file.pairs().forEach(a -> byPair.computeIfAbsent(a.a() + " / " + a.b(), k -> new ArrayList<>())
                            .add(a));
                }
            }
            byPair.forEach((pair, list) -> {
                List<Double> seeds = list.stream().map(a -> 100 * a.agreement()).toList();
                MeanStd m = MeanStd.of(seeds);
                double sd = Double.isFinite(m.std()) ? m.std() : 0;
                rows.add(new IntervalChart.Row(v.name() + ": " + pair, colours.get(v.name()), m.mean(),
                        m.mean() - sd, m.mean() + sd, seeds));
            });
        }
        if (rows.isEmpty()) {
            return null;
        }
        return new Figure("agreement.png", "Agreement of outputs", "Percentage of " + split + " images on which two "
                + "outputs of the same run predict the same class: mean (diamond), ± std over seeds (bar), each seed "
                + "(dots). From distill4j analyze agreement (which also gives the KL divergences).",
                ChartStyle.png(IntervalChart.of("Top-1 agreement within runs", "agreement (%)", rows, false)));
    }

    /** A variant's k-th line: its colour; circles and solid for even k, squares and dashed for odd. */
    private static void style(XYSeries line, Color c, int k) {
        line.setLineColor(c);
        line.setMarkerColor(c);
        line.setMarker(k % 2 == 0 ? SeriesMarkers.CIRCLE : SeriesMarkers.SQUARE);
        line.setLineStyle(k % 2 == 0 ? new BasicStroke(2f) : new BasicStroke(2f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 5f}, 0f));
    }
}
