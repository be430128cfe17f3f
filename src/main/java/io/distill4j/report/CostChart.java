package io.distill4j.report;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cost against accuracy: per variant and network, the compared top-1 (mean, bars ± std over seeds) against the
 * training time relative to the reference (or in seconds without one). The reference sits at 1; up and left is
 * better. A single network is a circle, peers squares, the peers' mean a triangle and the ensemble a diamond.
 */
final class CostChart {
    private CostChart() {}

    static XYChart of(Comparison c, Map<String, Color> colours) {
        boolean relative = c.hasReference();
        XYChart chart = ChartStyle.xy(900, 460, "cost against " + c.score().label(),
                relative ? "training time relative to " + c.reference() + " (×)" : "training time (s)",
                c.score().label() + " (%)");
        Map<String, List<ComparisonRow>> byVariant = new LinkedHashMap<>();
        for (ComparisonRow r : c.rows()) {
            double x = relative ? r.timeRatio() : r.trainSeconds();
            if (Double.isFinite(x) && r.compared().n() > 0) {
                byVariant.computeIfAbsent(r.variant().name(), k -> new ArrayList<>()).add(r);
            }
        }
        if (byVariant.isEmpty()) {
            return null;
        }
        for (var e : byVariant.entrySet()) {
            Map<Marker, List<ComparisonRow>> byKind = new LinkedHashMap<>();
            e.getValue().forEach(r -> byKind.computeIfAbsent(marker(r.network()), k -> new ArrayList<>()).add(r));
            boolean first = true;
            for (var k : byKind.entrySet()) {
                List<ComparisonRow> rows = k.getValue();
                double[] x = rows.stream().mapToDouble(r -> relative ? r.timeRatio() : r.trainSeconds()).toArray();
                double[] y = rows.stream().mapToDouble(r -> 100 * r.compared().mean()).toArray();
                double[] err = rows.stream().mapToDouble(r -> 100 * r.compared().std()).toArray();
                XYSeries s = chart.addSeries(first ? e.getKey() : e.getKey() + " " + k.getKey().getClass().getSimpleName(),
                        x, y, err);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                s.setMarker(k.getKey());
                s.setMarkerColor(colours.get(e.getKey()));
                s.setLineColor(colours.get(e.getKey())); // the error bars' colour
                s.setShowInLegend(first);
                first = false;
            }
        }
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        chart.getStyler().setXAxisDecimalPattern(relative ? "0.00" : "#,##0");
        chart.getStyler().setYAxisDecimalPattern("0.0");
        return chart;
    }

    static Marker marker(String network) {
        if (network.equals("ensemble")) {
            return SeriesMarkers.DIAMOND;
        }
        if (network.equals("peers_mean")) {
            return SeriesMarkers.TRIANGLE_UP;
        }
        return network.matches("peer\\d+.*") ? SeriesMarkers.SQUARE : SeriesMarkers.CIRCLE;
    }
}
