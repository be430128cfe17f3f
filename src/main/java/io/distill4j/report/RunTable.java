package io.distill4j.report;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Aggregates finished runs into one Markdown table: runs whose folder names differ only by a trailing
 * {@code -seedN} form a group; each network of a group gets mean and sample standard deviation of its best
 * and last top-1, plus the mean training throughput.
 */
public final class RunTable {
    private record Row(String group, String network, List<Double> best, List<Double> last, List<Double> ips) {}

    private RunTable() {}

    public static String markdown(List<Path> runs) {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (Path run : runs) {
            Path f = run.resolve("summary.json");
            JsonObject s;
            try {
                s = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
            } catch (IOException e) {
                throw new UserError(f + ": cannot read (is the run finished?)");
            } catch (RuntimeException e) {
                throw new UserError(f + ": not a summary.json");
            }
            String group = run.getFileName().toString().replaceFirst("-seed\\d+$", "");
            double ips = s.get("train_images_per_sec").getAsDouble();
            for (var e : s.getAsJsonObject("networks").entrySet()) {
                JsonObject n = e.getValue().getAsJsonObject();
                Row r = rows.computeIfAbsent(group + "\u0000" + e.getKey(),
                        k -> new Row(group, e.getKey(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
                r.best().add(value(n, "best_top1"));
                r.last().add(value(n, "last_top1"));
                r.ips().add(ips);
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("| runs | network | n | best top-1 (%) | last top-1 (%) | train img/s |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (Row r : rows.values()) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %.0f |%n", r.group(), r.network(),
                    r.best().size(), meanStd(r.best()), meanStd(r.last()), mean(r.ips())));
        }
        return sb.toString();
    }

    static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** Sample standard deviation (n - 1); 0 for a single run. */
    static double std(List<Double> xs) {
        if (xs.size() < 2) {
            return 0;
        }
        double m = mean(xs);
        return Math.sqrt(xs.stream().mapToDouble(x -> (x - m) * (x - m)).sum() / (xs.size() - 1));
    }

    static String meanStd(List<Double> xs) {
        return String.format(Locale.ROOT, "%.2f ± %.2f", 100 * mean(xs), 100 * std(xs));
    }

    /** A score of a summary, NaN where the summary has none (null: never evaluated). */
    private static double value(JsonObject n, String key) {
        return n.has(key) && !n.get(key).isJsonNull() ? n.get(key).getAsDouble() : Double.NaN;
    }
}
