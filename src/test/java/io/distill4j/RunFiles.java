package io.distill4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What tests compare between runs' output folders. */
public final class RunFiles {
    private RunFiles() {}

    /** The lines of a run's metrics.jsonl without what depends on the clock (images/s). */
    public static List<String> metricsWithoutTiming(Path run) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String l : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            lines.add(l.replaceAll(",\"images_per_sec\":[^,}]*", ""));
        }
        return lines;
    }
}
