package io.distill4j.report;

import io.distill4j.UserError;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code OUT/report.html}, one self-contained page (styles inline, charts as PNG data: URIs; it opens offline
 * and can be mailed), and the same charts as PNG files next to it. States what was compared and how the best
 * epochs were selected, shows the comparison with its verdicts, the charts, each seed's numbers and the notes.
 */
public final class HtmlReport {
    public static final String FILE = "report.html";

    private static final String STYLE = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px auto;
            max-width:1280px;padding:0 16px;color:#222;line-height:1.45}
            h1{font-size:1.6em;margin-bottom:4px}h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:4px}
            table{border-collapse:collapse;font-size:.84em;margin:8px 0}
            th,td{border:1px solid #d8d8d8;padding:3px 6px;text-align:right;vertical-align:top}

            th{background:#f3f5f8}td.t,th.t{text-align:left}tr.ref td{background:#f7f7f7}
            td.verdict{text-align:left;min-width:100px;max-width:150px}h3{margin-bottom:4px}
            ul{margin-top:4px}li{margin:2px 0}
            .better{color:#1a7f37}.worse{color:#b42318}.swatch{display:inline-block;width:.8em;height:.8em;
            border-radius:2px;margin-right:5px;vertical-align:baseline}
            figure{margin:12px 0 22px}figure img{max-width:100%;border:1px solid #eee}
            figcaption{font-size:.88em;color:#555;max-width:900px}
            .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:8px 20px}
            .wide{overflow-x:auto}.nw{white-space:nowrap}.meta{color:#555;font-size:.9em}code{background:#f3f3f3;padding:0 3px}
            """;

    private HtmlReport() {}

    /** Writes the charts and report.html into {@code out} (created if needed) and returns the page's path. */
    public static Path write(Experiment e, Comparison c, Path out) {
        List<Figure> figures = ReportFigures.of(e, c);
        try {
            Files.createDirectories(out);
            for (Figure f : figures) {
                Files.write(out.resolve(f.file()), f.png());
            }
            Path page = out.resolve(FILE);
            Files.writeString(page, page(e, c, figures), StandardCharsets.UTF_8);
            return page;
        } catch (IOException ex) {
            throw new UserError(out + ": cannot write the report: " + ex.getMessage());
        }
    }

    static String page(Experiment e, Comparison c, List<Figure> figures) {
        var colours = ChartStyle.colours(e.variants(), c.reference());
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
                .append(esc(title(e))).append("</title>\n<style>").append(STYLE).append("</style></head><body>\n");
        h.append("<h1>").append(esc(title(e))).append("</h1>\n");
        provenance(h, e);
        reading(h, e, c);
        h.append("<h2>Comparison</h2>\n");
        table(h, c, colours);
        if (c.hasReference()) {
            h.append("<h3>Verdicts</h3>\n<ul id=\"verdicts\">");
            for (ComparisonRow r : c.rows()) {
                if (r.paired() != null) {
                    h.append("<li data-variant=\"").append(esc(r.variant().name())).append("\" data-network=\"")
                            .append(esc(r.network())).append("\"><b>").append(esc(r.label())).append("</b>: ")
                            .append(esc(r.paired().verdict())).append("</li>");
                }
            }
            h.append("</ul>\n");
        }
        if (!c.notes().isEmpty()) {
            h.append("<h3>Notes</h3>\n<ul class=\"notes\">");
            c.notes().forEach(n -> h.append("<li>").append(esc(n)).append("</li>"));
            h.append("</ul>\n");
        }
        h.append("<h2>Charts</h2>\n");
        boolean inGrid = false;
        for (Figure f : figures) {
            boolean curve = f.file().startsWith("curves-");
            if (curve && !inGrid) {
                h.append("<h3>Learning curves</h3>\n<p>Per network, the mean over seeds at each evaluated epoch on the "
                        + "test set (solid, circles), the validation split (dotted, diamonds) and the training split "
                        + "evaluated without augmentation (dashed), each where logged; the band runs from the lowest to "
                        + "the highest seed.</p>\n<div class=\"grid\">\n");
                inGrid = true;
            }
            h.append("<figure><img src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(f.png()))
                    .append("\" alt=\"").append(esc(f.title())).append("\" data-file=\"").append(esc(f.file()))
                    .append("\"><figcaption><b>").append(esc(f.title())).append(".</b>").append(f.caption().isEmpty() ? "" : " " + esc(f.caption()))
                    .append(" (<a href=\"").append(esc(f.file())).append("\">").append(esc(f.file()))
                    .append("</a>)</figcaption></figure>\n");
        }
        if (inGrid) {
            h.append("</div>\n");
        }
        seeds(h, e, c);
        h.append("</body></html>\n");
        return h.toString();
    }

    private static String title(Experiment e) {
        return e.sweeps().isEmpty() ? "distill4j report"
                : "distill4j report: " + e.sweeps().stream().map(SweepManifest::name).collect(Collectors.joining(", "));
    }

    private static void provenance(StringBuilder h, Experiment e) {
        h.append("<p class=\"meta\">");
        for (SweepManifest m : e.sweeps()) {
            h.append("Sweep <code>").append(esc(m.dir().toString())).append("</code>");
            if (m.gitCommit() != null) {
                h.append(", commit <code>").append(esc(m.gitCommit())).append("</code>");
            }
            if (!m.versions().isEmpty()) {
                h.append(", versions ").append(esc(join(m.versions())));
            }
            if (!m.machine().isEmpty()) {
                h.append(", written on ").append(esc(m.machine().containsKey("kernels")
                        ? String.valueOf(m.machine().get("cpu")) + " [" + m.machine().get("kernels") + "]"
                        : join(m.machine())));
            }
            h.append(".<br>");
        }
        long runs = e.variants().stream().mapToLong(v -> v.runs().size()).sum();
        h.append(runs).append(" runs in ").append(e.variants().size()).append(" variants");
        if (e.sweeps().isEmpty()) {
            h.append(", from ").append(e.variants().stream().flatMap(v -> v.runs().stream())
                    .map(r -> "<code>" + esc(String.valueOf(r.dir().toAbsolutePath().normalize().getParent())) + "</code>")
                    .distinct().collect(Collectors.joining(", ")));
        }
        h.append(".</p>\n");
        Map<String, String> machines = Machines.inventory(e);
        h.append("<h3>Machines</h3>\n<p>Where each run started (CPU model and the vector extensions that select its "
                + "float kernels). Runs on CPUs with other kernels differ in the last bits, and after a few hundred "
                + "steps by tenths of a point: a pair split across two CPUs is marked in the table.</p>\n"
                + "<ul id=\"machines\">");
        machines.forEach((m, which) -> h.append("<li><b>").append(esc(m)).append("</b>: ").append(esc(which))
                .append("</li>"));
        h.append("</ul>\n");
    }

    private static void reading(StringBuilder h, Experiment e, Comparison c) {
        h.append("<h2>How to read this</h2>\n<ul>\n");
        h.append("<li>Compared score: <b>").append(esc(c.score().label())).append("</b>, ").append(esc(c.score().meaning()))
                .append(".</li>\n");
        h.append("<li>Best epoch: ").append(perVariant(e, Variant::selectionLabel)).append(".</li>\n");
        if (c.hasReference()) {
            h.append("<li>Reference: <b>").append(esc(c.reference())).append("</b>. Runs of a variant and the "
                    + "reference with the same seed form a pair; seeds without a partner are dropped (see notes). "
                    + "Differences are in points of top-1 (variant minus reference). The interval is a ")
                    .append(esc(RunTable.intervalWords(c))).append(" of the mean difference; <i>detectable ±</i> is "
                    + "its half-width, the smallest mean difference these pairs could tell from 0. p is the "
                    + "two-sided sign-flip test, exact for up to ")
                    .append(SignFlipTest.EXACT_UP_TO).append(" pairs. With n pairs p cannot go below 2/2<sup>n</sup> "
                    + "(0.25 with 3 seeds); ").append(SignFlipTest.pairsNeededBelow(Verdict.ALPHA))
                    .append(" seeds are the fewest that can give p &lt; 0.05, and a verdict says <i>better</i> or "
                    + "<i>worse</i> only when p &le; 0.05 and the interval excludes 0.</li>\n");
        } else {
            h.append("<li>No reference variant (name one with <code>--reference NAME</code>): no paired comparison."
                    + "</li>\n");
        }
        h.append("<li>Cost: training seconds from each run's recorded cost, or for runs without one the wall-clock "
                + "time (evaluation included): ");
        h.append(perVariant(e, v -> v.runs().stream().allMatch(r -> r.cost().recorded()) ? "recorded" : "wall clock"))
                .append(".</li>\n</ul>\n");
    }

    /** "X, every variant" when all agree, else "a: X; b: Y" (escaped). */
    private static String perVariant(Experiment e, Function<Variant, String> f) {
        var values = e.variants().stream().map(f).distinct().toList();
        if (values.size() == 1) {
            return "<b>" + esc(values.get(0)) + "</b>, every variant";
        }
        return e.variants().stream().map(v -> "<b>" + esc(v.name()) + "</b>: " + esc(f.apply(v)))
                .collect(Collectors.joining("; "));
    }

    private static void table(StringBuilder h, Comparison c, Map<String, Color> colours) {
        boolean train = c.rows().stream().anyMatch(r -> r.lastTrain().n() > 0);
        boolean selections = c.rows().stream().map(r -> r.variant().selectionBrief()).distinct().count() > 1;
        boolean backprop = c.rows().stream().anyMatch(r -> Double.isFinite(r.backpropRatio()));
        boolean ref = c.hasReference();
        h.append("<div class=\"wide\"><table id=\"comparison\"><thead><tr><th class=\"t\">variant</th><th class=\"t\">network</th>"
                + "<th>n</th><th>best top-1 (%)</th>");
        h.append("<th>last top-1 (%)</th>");
        if (train) {
            h.append("<th>train top-1, last (%)</th>");
        }
        if (selections) {
            h.append("<th class=\"t\">best epoch by</th>");
        }
        h.append("<th>train img/s</th>");
        if (ref) {
            h.append("<th>Δ ").append(esc(c.score().label())).append(" (points)</th><th>95% interval</th><th>detectable ±</th><th>p</th>"
                    + "<th>pairs</th><th>time vs ref.</th>");
            if (backprop) {
                h.append("<th title=\"images back-propagated, relative to the reference\">images vs ref.</th>");
            }
            h.append("<th class=\"t\">verdict</th>");
        }
        h.append("</tr></thead><tbody>\n");
        for (ComparisonRow r : c.rows()) {
            boolean isRef = r.variant().name().equals(c.reference());
            h.append("<tr").append(isRef ? " class=\"ref\"" : "").append(" data-variant=\"").append(esc(r.variant().name()))
                    .append("\" data-network=\"").append(esc(r.network())).append("\">");
            // the swatch stays with the name; a long name may break before an @ only
            String[] parts = r.variant().name().split("(?=@)", 2);
            h.append("<td class=\"t\"><span class=\"nw\"><span class=\"swatch\" style=\"background:")
                    .append(String.format("#%06x", colours.get(r.variant().name()).getRGB() & 0xFFFFFF)).append("\"></span>")
                    .append(esc(parts[0])).append("</span>").append(parts.length > 1 ? "<wbr>" + esc(parts[1]) : "")
                    .append(r.variant().computeMatched() ? "<br><i>equal compute</i>" : "")
                    .append("</td><td class=\"t\">").append(esc(r.network())).append("</td>");
            h.append(cell("n", r.best().n(), Integer.toString(r.best().n())));
            h.append(cell("best", r.best().mean(), r.best().format(100)));
            h.append(cell("last", r.last().mean(), r.last().format(100)));
            if (train) {
                h.append(cell("train", r.lastTrain().mean(), r.lastTrain().format(100)));
            }
            if (selections) {
                h.append("<td class=\"t selection\">").append(esc(r.variant().selectionBrief())).append("</td>");
            }
            h.append(cell("ips", r.imagesPerSec(), RunTable.number("%.0f", r.imagesPerSec())));
            if (ref) {
                PairedDifference d = r.paired();
                if (d == null) {
                    h.append("<td class=\"t\" colspan=\"5\">").append(isRef ? "reference" : "not paired").append("</td>");
                } else {
                    h.append(cell("diff", d.stats().mean(), RunTable.difference(d)));
                    h.append("<td class=\"ci\" data-low=\"").append(d.interval().low()).append("\" data-high=\"")
                            .append(d.interval().high()).append("\">").append(keep(RunTable.interval(d.interval()))).append("</td>");
                    h.append(cell("detectable", d.interval().halfWidth(), RunTable.detectable(d.interval())));
                    h.append(cell("p", d.test().p(), Verdict.p(d.test().p())));
                    h.append(cell("pairs", d.n(), RunTable.pairs(d)));
                }
                h.append(cell("time", r.timeRatio(), RunTable.ratio(r.timeRatio())));
                if (backprop) {
                    h.append(cell("backprop", r.backpropRatio(), RunTable.ratio(r.backpropRatio())));
                }
                String brief = d == null ? "" : d.brief();
                String tone = brief.equals("better") ? " better" : brief.equals("worse") ? " worse" : "";
                h.append("<td class=\"verdict").append(tone).append("\">").append(esc(brief)).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody></table></div>\n");
    }

    private static void seeds(StringBuilder h, Experiment e, Comparison c) {
        h.append("<h2>Each seed</h2>\n<table id=\"seeds\"><thead><tr><th class=\"t\">variant</th><th class=\"t\">"
                + "network</th><th>seed</th><th class=\"t\">run</th><th>best epoch</th><th>best top-1 (%)</th>"
                + "<th>validation top-1 at best (%)</th><th>last top-1 (%)</th><th>train top-1, last (%)</th>");
        if (c.hasReference()) {
            h.append("<th>Δ ").append(esc(c.score().label())).append(" to ").append(esc(c.reference()))
                    .append(" (points)</th>");
        }
        h.append("</tr></thead><tbody>\n");
        for (ComparisonRow r : c.rows()) {
            Map<Integer, Double> diffs = new HashMap<>();
            if (r.paired() != null) {
                for (int i = 0; i < r.paired().n(); i++) {
                    diffs.put(r.paired().seeds().get(i), r.paired().differences().get(i));
                }
            }
            for (RunResult run : r.variant().runs()) {
                NetworkResult n = run.networks().get(r.network());
                if (n == null) {
                    continue;
                }
                h.append("<tr data-variant=\"").append(esc(r.variant().name())).append("\" data-network=\"")
                        .append(esc(r.network())).append("\"><td class=\"t\">").append(esc(r.variant().name()))
                        .append("</td><td class=\"t\">").append(esc(r.network())).append("</td><td>")
                        .append(run.seed() == null ? "–" : run.seed()).append("</td><td class=\"t\">").append(esc(run.name()))
                        .append("</td><td>").append(run.bestEpoch() < 0 ? "–" : run.bestEpoch()).append("</td>")
                        .append(cell("best", n.bestTop1(), RunTable.number("%.2f", 100 * n.bestTop1())))
                        .append(cell("validation", n.bestValidationTop1(),
                                RunTable.number("%.2f", 100 * n.bestValidationTop1())))
                        .append(cell("last", n.lastTop1(), RunTable.number("%.2f", 100 * n.lastTop1())))
                        .append(cell("train", n.lastTrainTop1(), RunTable.number("%.2f", 100 * n.lastTrainTop1())));
                if (c.hasReference()) {
                    Double d = run.seed() == null ? null : diffs.get(run.seed());
                    h.append(d == null ? "<td class=\"diff\">–</td>"
                            : cell("diff", d, String.format(Locale.ROOT, "%+.2f", d)));
                }
                h.append("</tr>\n");
            }
        }
        h.append("</tbody></table>\n");
    }

    /** A numeric cell: the text shown, and the full-precision value in data-value (for tests and scripts). */
    private static String cell(String cls, double value, String text) {
        return "<td class=\"" + cls + "\" data-value=\"" + (Double.isFinite(value) ? Double.toString(value) : "")
                + "\">" + keep(text) + "</td>";
    }

    /** Escaped, and "81.00 ± 1.00" or "0.40 to 2.00" wrap only before the ± or the "to". */
    private static String keep(String text) {
        return esc(text).replace("± ", "±&nbsp;").replace(" to ", " to&nbsp;");
    }

    private static String join(Map<String, ?> m) {
        return m.entrySet().stream().map(x -> x.getKey() + " " + x.getValue()).collect(Collectors.joining(", "));
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
