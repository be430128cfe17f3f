package io.distill4j.report;

import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.Arrays;
import java.util.List;

/**
 * One row per variant and network, top to bottom: an interval (a bar from low to high), its centre (a diamond)
 * and the individual seeds (small dots just below). Used for the scores (mean ± std) and for the paired
 * differences (mean and 95% interval, with a line at 0).
 */
final class IntervalChart {
    record Row(String label, Color colour, double centre, double low, double high, List<Double> seeds) {}

    private static final int ROW_PIXELS = 34;

    private IntervalChart() {}

    static XYChart of(String title, String xTitle, List<Row> rows, boolean zeroLine) {
        int k = rows.size();
        XYChart chart = ChartStyle.xy(900, 130 + ROW_PIXELS * Math.max(k, 2), title, xTitle, "");
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setYAxisTitleVisible(false);
        chart.getStyler().setYAxisMin(-0.6);
        chart.getStyler().setYAxisMax(k - 0.4);
        chart.getStyler().setPlotGridHorizontalLinesVisible(false);
        chart.getStyler().setAxisTickPadding(8);
        // XChart steps ticks by 1, 2 or 5 times a power of 10, from a spacing hint in pixels: about one row's
        // height gives a tick per row (the plot is about 25 + 34 px per row, 92% of it used for ticks)
        double rowHeight = 0.92 * (25 + ROW_PIXELS * Math.max(k, 2)) / (k + 0.2);
        chart.getStyler().setYAxisTickMarkSpacingHint((int) Math.round(1.1 * rowHeight));
        chart.getStyler().setyAxisTickLabelsFormattingFunction(y -> {
            long i = Math.round(y);
            if (Math.abs(y - i) < 1e-6 && i >= 0 && i < k) {
                return rows.get((int) (k - 1 - i)).label();
            }
            // XChart wants every tick label distinct (else it searches forever): blanks of distinct lengths,
            // which take no width
            return " ".repeat(1 + (int) Math.floorMod(Math.round(8 * y), 4096L));
        });
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < k; r++) {
            Row row = rows.get(r);
            double y = k - 1 - r;
            XYSeries bar = chart.addSeries("interval " + r, new double[] {row.low(), row.high()}, new double[] {y, y});
            bar.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            bar.setLineColor(row.colour());
            bar.setLineStyle(new BasicStroke(4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
            bar.setMarker(SeriesMarkers.NONE);
            XYSeries centre = chart.addSeries("centre " + r, new double[] {row.centre()}, new double[] {y});
            centre.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            centre.setMarker(SeriesMarkers.DIAMOND);
            centre.setMarkerColor(row.colour().darker());
            if (!row.seeds().isEmpty()) {
                double[] xs = row.seeds().stream().mapToDouble(Double::doubleValue).toArray();
                double[] ys = new double[xs.length];
                Arrays.fill(ys, y - 0.25);
                XYSeries seeds = chart.addSeries("seeds " + r, xs, ys);
                seeds.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                seeds.setMarker(SeriesMarkers.CIRCLE);
                seeds.setMarkerColor(ChartStyle.translucent(row.colour(), 170));
                for (double x : xs) {
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
            }
            lo = Math.min(lo, Math.min(row.low(), row.centre()));
            hi = Math.max(hi, Math.max(row.high(), row.centre()));
        }
        if (zeroLine) {
            chart.addAnnotation(new AnnotationLine(0, true, false));
            lo = Math.min(lo, 0);
            hi = Math.max(hi, 0);
        }
        double pad = Math.max(0.05 * (hi - lo), 0.1);
        chart.getStyler().setXAxisMin(lo - pad);
        chart.getStyler().setXAxisMax(hi + pad);
        return chart;
    }
}
