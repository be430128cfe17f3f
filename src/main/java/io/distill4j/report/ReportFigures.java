package io.distill4j.report;

import org.knowm.xchart.XYChart;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The report's charts, drawn with XChart: scores, paired differences, cost against accuracy, learning curves. */
final class ReportFigures {
    private ReportFigures() {}

    static List<Figure> of(Experiment e, Comparison c) {
        Map<String, Color> colours = ChartStyle.colours(e.variants(), c.reference());
        List<Figure> figures = new ArrayList<>();
        String score = c.score().label();

        List<IntervalChart.Row> scores = new ArrayList<>();
        for (ComparisonRow r : c.rows()) {
            if (r.compared().n() > 0) {
                double m = 100 * r.compared().mean();
                double s = 100 * r.compared().std();
                scores.add(new IntervalChart.Row(r.label(), colours.get(r.variant().name()), m, m - s, m + s,
                        seeds(r, c.score())));
            }
        }
        if (!scores.isEmpty()) {
            figures.add(new Figure("scores.png", "Scores", score + " (%) of each variant and network: mean (diamond), "
                    + "mean ± sample std over seeds (bar), each seed (dots).",
                    ChartStyle.png(IntervalChart.of(score + " over seeds", score + " (%)", scores, false))));
        }

        if (c.hasReference()) {
            List<IntervalChart.Row> diffs = new ArrayList<>();
            for (ComparisonRow r : c.rows()) {
                PairedDifference d = r.paired();
                if (d != null && d.n() > 0) {
                    double m = d.stats().mean();
                    MeanInterval ci = d.interval();
                    diffs.add(new IntervalChart.Row(r.label(), colours.get(r.variant().name()), m,
                            ci.defined() ? ci.low() : m, ci.defined() ? ci.high() : m, d.differences()));
                }
            }
            if (!diffs.isEmpty()) {
                figures.add(new Figure("differences.png", "Paired differences to " + c.reference(),
                        "Difference in " + score + " to " + c.reference() + " with the same seed, in points: mean "
                                + "(diamond), " + RunTable.intervalWords(c) + " of the mean (bar), each seed's difference "
                                + "(dots). Right of the line at 0: higher than " + c.reference() + ".",
                        ChartStyle.png(IntervalChart.of(score + ": difference to " + c.reference() + " (paired by seed)",
                                "difference (points of top-1)", diffs, true))));
            }
        }

        XYChart cost = CostChart.of(c, colours);
        if (cost != null) {
            figures.add(new Figure("cost.png", "Cost against accuracy", c.hasReference()
                    ? "Training time relative to " + c.reference() + " (mean over seeds) against " + score
                    + " (mean, bars ± std). Circles: single networks, squares: peers, triangles: the peers' mean, "
                    + "diamonds: the ensemble."
                    : "Training time against " + score + " (mean, bars ± std).", ChartStyle.png(cost)));
        }

        figures.addAll(AnalysisCharts.of(e, colours));

        Set<String> networks = new LinkedHashSet<>();
        e.variants().forEach(v -> v.runs().forEach(r -> networks.addAll(r.curves().networks())));
        for (String net : networks) {
            for (boolean top1 : new boolean[] {true, false}) {
                XYChart chart = CurveChart.of(net, e.variants(), colours, top1);
                if (chart != null) {
                    String what = top1 ? "top-1" : "loss";
                    figures.add(new Figure(Figure.fileName("curves-" + net + "-" + what), net + ": " + what
                            + " by epoch", "", ChartStyle.png(chart)));
                }
            }
        }
        return figures;
    }

    private static List<Double> seeds(ComparisonRow r, Comparison.Score score) {
        List<Double> out = new ArrayList<>();
        for (RunResult run : r.variant().runs()) {
            NetworkResult n = run.networks().get(r.network());
            if (n != null && Double.isFinite(score.of(n))) {
                out.add(100 * score.of(n));
            }
        }
        return out;
    }
}
