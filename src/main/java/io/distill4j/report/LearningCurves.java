package io.distill4j.report;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.UserError;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * A run's evaluations from {@code metrics.jsonl}: per network and split ("test", "validation", "train"; a line
 * without a split is a test evaluation), top-1 and loss by epoch. Training lines are skipped unread. A run
 * without metrics.jsonl has no curves (its summary still counts).
 */
public final class LearningCurves {
    public static final LearningCurves NONE = new LearningCurves(Map.of());

    public record Point(double top1, double loss) {}

    private final Map<String, Map<String, NavigableMap<Integer, Point>>> byNetwork;

    private LearningCurves(Map<String, Map<String, NavigableMap<Integer, Point>>> byNetwork) {
        this.byNetwork = byNetwork;
    }

    public static LearningCurves read(Path file) {
        Map<String, Map<String, NavigableMap<Integer, Point>>> curves = new LinkedHashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (!line.contains("\"eval\"")) {
                    continue;
                }
                JsonObject o;
                try {
                    o = JsonParser.parseString(line).getAsJsonObject();
                } catch (RuntimeException e) {
                    throw new UserError(file + ": line " + number + " is not a JSON object");
                }
                if (!"eval".equals(JsonFields.string(o, "event", file, null))) {
                    continue;
                }
                Integer epoch = JsonFields.integer(o, "epoch", file);
                String network = JsonFields.string(o, "network", file, null);
                if (epoch == null || network == null) {
                    throw new UserError(file + ": line " + number + ": an eval line needs epoch and network");
                }
                String split = JsonFields.string(o, "split", file, "test");
                curves.computeIfAbsent(network, k -> new LinkedHashMap<>()).computeIfAbsent(split, k -> new TreeMap<>())
                        .put(epoch, new Point(JsonFields.number(o, "top1", file), JsonFields.number(o, "loss", file)));
            }
        } catch (NoSuchFileException e) {
            return NONE;
        } catch (IOException e) {
            throw new UserError(file + ": cannot read: " + e.getMessage());
        }
        return new LearningCurves(curves);
    }

    public Set<String> networks() {
        return byNetwork.keySet();
    }

    /** Epoch to point for one network and split; empty when not logged. */
    public NavigableMap<Integer, Point> get(String network, String split) {
        return byNetwork.getOrDefault(network, Map.of()).getOrDefault(split, new TreeMap<>());
    }
}
