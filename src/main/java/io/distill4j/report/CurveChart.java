package io.distill4j.report;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Learning curves of one network: per variant the mean over seeds of top-1 (or loss) by epoch on the test set
 * (solid), and where logged the validation split (dotted) and the training split (dashed), each with a band
 * from the lowest to the highest seed.
 */
final class CurveChart {
    static final String[] SPLITS = {"test", "validation", "train"};

    /** Mean, min and max over seeds at each epoch that at least one seed evaluated. */
    record Band(double[] epochs, double[] mean, double[] min, double[] max, int seeds) {}

    private CurveChart() {}

    static Band band(Variant v, String network, String split, ToDoubleFunction<LearningCurves.Point> value) {
        Map<Integer, List<Double>> byEpoch = new TreeMap<>();
        int seeds = 0;
        for (RunResult r : v.runs()) {
            NavigableMap<Integer, LearningCurves.Point> curve = r.curves().get(network, split);
            if (!curve.isEmpty()) {
                seeds++;
            }
            curve.forEach((epoch, p) -> {
                double x = value.applyAsDouble(p);
                if (Double.isFinite(x)) {
                    byEpoch.computeIfAbsent(epoch, k -> new ArrayList<>()).add(x);
                }
            });
        }
        int n = byEpoch.size();
        double[] e = new double[n], mean = new double[n], min = new double[n], max = new double[n];
        int i = 0;
        for (var entry : byEpoch.entrySet()) {
            e[i] = entry.getKey();
            mean[i] = MeanStd.of(entry.getValue()).mean();
            min[i] = entry.getValue().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
            max[i] = entry.getValue().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
            i++;
        }
        return new Band(e, mean, min, max, seeds);
    }

    /** {@code top1}: top-1 in percent, else the loss; null when no variant logged this network. */
    static XYChart of(String network, List<Variant> variants, Map<String, Color> colours, boolean top1) {
        XYChart chart = ChartStyle.xy(780, 420, network + ": " + (top1 ? "top-1 by epoch" : "loss by epoch"),
                "epoch", top1 ? "top-1 (%)" : "cross-entropy");
        double scale = top1 ? 100 : 1;
        ToDoubleFunction<LearningCurves.Point> value = top1 ? LearningCurves.Point::top1 : LearningCurves.Point::loss;
        boolean any = false;
        for (Variant v : variants) {
            for (String split : SPLITS) {
                Band b = band(v, network, split, value);
                if (b.epochs().length == 0) {
                    continue;
                }
                any = true;
                Color c = colours.get(v.name());
                String name = v.name() + (split.equals("test") ? "" : " (" + split + ")");
                if (b.seeds() > 1) {
                    addBand(chart, name + " band", b, scale, c);
                }
                XYSeries line = chart.addSeries(name, b.epochs(), scaled(b.mean(), scale));
                line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                line.setLineColor(c);
                line.setMarkerColor(c);
                switch (split) {
                    case "test" -> {
                        line.setMarker(SeriesMarkers.CIRCLE);
                        line.setLineStyle(new BasicStroke(2f));
                    }
                    case "validation" -> {
                        line.setMarker(SeriesMarkers.DIAMOND);
                        line.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f,
                                new float[] {2f, 4f}, 0f));
                    }
                    default -> {
                        line.setMarker(SeriesMarkers.NONE);
                        line.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                                new float[] {8f, 5f}, 0f));
                    }
                }
            }
        }
        return any ? chart : null;
    }

    private static void addBand(XYChart chart, String name, Band b, double scale, Color c) {
        ChartStyle.band(chart, name, b.epochs(), scaled(b.min(), scale), scaled(b.max(), scale), c, 45);
    }

    static double[] scaled(double[] xs, double scale) {
        double[] out = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = scale * xs[i];
        }
        return out;
    }
}
