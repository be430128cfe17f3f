package io.distill4j.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The look shared by the report's charts (XChart): white, light grid, one colour per variant in every chart. */
final class ChartStyle {
    /** Tableau 10: distinguishable, and still apart for the common colour-vision deficiencies. */
    private static final Color[] PALETTE = {new Color(0x4E79A7), new Color(0xF28E2B), new Color(0x59A14F),
            new Color(0xE15759), new Color(0xB07AA1), new Color(0x76B7B2), new Color(0xEDC948), new Color(0x9C755F),
            new Color(0xFF9DA7), new Color(0xBAB0AC)};
    private static final Color REFERENCE = new Color(0x333333);

    private ChartStyle() {}

    /** The reference is dark grey, the others take the palette in order. */
    static Map<String, Color> colours(List<Variant> variants, String reference) {
        Map<String, Color> m = new LinkedHashMap<>();
        int i = 0;
        for (Variant v : variants) {
            m.put(v.name(), v.name().equals(reference) ? REFERENCE : PALETTE[i++ % PALETTE.length]);
        }
        return m;
    }

    /** A filled band from {@code low} to {@code high} over {@code x}, in {@code c} at {@code alpha}, not in the legend. */
    static void band(XYChart chart, String name, double[] x, double[] low, double[] high, Color c, int alpha) {
        int n = x.length;
        double[] bx = new double[2 * n];
        double[] by = new double[2 * n];
        for (int i = 0; i < n; i++) {
            bx[i] = x[i];
            by[i] = high[i];
            bx[2 * n - 1 - i] = x[i];
            by[2 * n - 1 - i] = low[i];
        }
        XYSeries band = chart.addSeries(name, bx, by);
        band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        band.setFillColor(translucent(c, alpha));
        band.setLineColor(translucent(c, 0));
        band.setLineStyle(SeriesLines.NONE);
        band.setMarker(SeriesMarkers.NONE);
        band.setShowInLegend(false);
    }

    static Color translucent(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    static XYChart xy(int width, int height, String title, String xTitle, String yTitle) {
        XYChart chart = new XYChart(width, height);
        chart.setTitle(title);
        chart.setXAxisTitle(xTitle);
        chart.setYAxisTitle(yTitle);
        XYStyler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(false);
        s.setPlotGridLinesColor(new Color(0xE4E4E4));
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLegendBorderColor(new Color(0xCCCCCC));
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setChartPadding(12);
        s.setMarkerSize(7);
        s.setAntiAlias(true);
        return chart;
    }

    static byte[] png(XYChart chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
