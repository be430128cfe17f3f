package io.distill4j.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The comparison as Markdown, for the terminal and for {@code table.md}: one row per variant and network with
 * mean ± sample std of best and last top-1 over seeds and the mean training throughput; with a reference, also
 * the paired difference of the compared score, its 95% interval (Student's t unless a bootstrap was asked for),
 * the smallest difference the pairs could detect (the interval's half-width), p, the pairs and the time relative
 * to the reference, then one verdict per row and the notes (dropped seeds).
 */
public final class RunTable {
    private RunTable() {}

    /** Run or sweep folders, against the sweep's reference or a variant named baseline when there is one. */
    public static String markdown(List<Path> inputs) {
        Experiment e = Experiment.load(inputs);
        return markdown(Comparison.of(e, e.defaultReference(), "reference"), Machines.inventory(e));
    }

    public static String markdown(Comparison c) {
        return markdown(c, null);
    }

    /** The table, with {@code machines} ({@link Machines#inventory}) listed under it when given. */
    public static String markdown(Comparison c, Map<String, String> machines) {
        boolean train = c.rows().stream().anyMatch(r -> r.lastTrain().n() > 0);
        boolean paired = c.hasReference();
        StringBuilder sb = new StringBuilder();
        sb.append("| runs | network | n | best top-1 (%) | last top-1 (%) |");
        sb.append(train ? " train top-1 (%) |" : "").append(" train img/s | best epoch by |");
        if (paired) {
            sb.append(" Δ ").append(c.score().label()).append(" vs ").append(c.reference())
                    .append(" (points) | 95% interval | detectable ± | p | pairs | time vs ").append(c.reference()).append(" |");
        }
        sb.append('\n').append("|---".repeat(paired ? 13 + (train ? 1 : 0) : 7 + (train ? 1 : 0))).append("|\n");
        for (ComparisonRow r : c.rows()) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s |", r.variant().name(), r.network(),
                    r.best().n(), r.best().format(100), r.last().format(100)));
            if (train) {
                sb.append(' ').append(r.lastTrain().format(100)).append(" |");
            }
            sb.append(String.format(Locale.ROOT, " %s | %s |", number("%.0f", r.imagesPerSec()),
                    r.variant().selectionBrief()));
            if (paired) {
                PairedDifference d = r.paired();
                if (d == null) {
                    sb.append(r.variant().name().equals(c.reference()) ? " reference | | | | |" : " – | | | | |");
                } else {
                    sb.append(' ').append(difference(d)).append(" | ").append(interval(d.interval())).append(" | ")
                            .append(detectable(d.interval())).append(" | ").append(Verdict.p(d.test().p())).append(" | ").append(pairs(d)).append(" |");
                }
                sb.append(' ').append(ratio(r.timeRatio())).append(" |");
            }
            sb.append('\n');
        }
        if (paired) {
            sb.append('\n').append("Compared: ").append(c.score().meaning()).append(". Paired by seed; ").append(intervalWords(c))
                    .append(" of the mean difference (detectable ±: its half-width, the smallest mean difference "
                            + "these pairs could tell from 0); p from the exact sign-flip test.\n\n");
            for (ComparisonRow r : c.rows()) {
                if (r.paired() != null) {
                    sb.append("- ").append(r.label()).append(": ").append(r.paired().verdict()).append('\n');
                }
            }
        }
        if (!c.notes().isEmpty()) {
            sb.append('\n');
            c.notes().forEach(n -> sb.append("- note: ").append(n).append('\n'));
        }
        if (machines != null && !machines.isEmpty()) {
            sb.append('\n').append("Machines (where each run started):\n");
            machines.forEach((m, runs) -> sb.append("- ").append(m).append(": ").append(runs).append('\n'));
        }
        return sb.toString();
    }

    static String difference(PairedDifference d) {
        return d.n() == 0 ? "–" : String.format(Locale.ROOT, "%+.2f ± %.2f", d.stats().mean(), d.stats().std());
    }

    static String interval(MeanInterval ci) {
        return ci.format();
    }

    static String detectable(MeanInterval ci) {
        return ci.defined() ? String.format(Locale.ROOT, "%.2f", ci.halfWidth()) : "–";
    }

    /** How the intervals were made, in words. */
    static String intervalWords(Comparison c) {
        return c.interval() == MeanInterval.Kind.T
                ? "95% Student's t interval (n − 1 degrees of freedom)"
                : "95% percentile bootstrap interval (" + MeanInterval.RESAMPLES + " resamples, fixed seed) where there "
                        + "are " + MeanInterval.BOOTSTRAP_MIN_PAIRS + " or more pairs, Student's t interval otherwise";
    }

    static String pairs(PairedDifference d) {
        List<String> said = new ArrayList<>();
        if (!d.dropped().isEmpty()) {
            said.add(d.dropped().size() + " dropped");
        }
        if (!d.crossCpuSeeds().isEmpty()) {
            said.add(d.crossCpuSeeds().size() + " across CPUs");
        }
        return said.isEmpty() ? Integer.toString(d.n()) : d.n() + " (" + String.join(", ", said) + ")";
    }

    static String ratio(double r) {
        return Double.isFinite(r) ? String.format(Locale.ROOT, "%.2f×", r) : "–";
    }

    static String number(String format, double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "–";
    }
}
