package io.distill4j.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A run's metrics.jsonl without what depends on the clock (speeds, durations): what must replay exactly. */
final class Metrics {
    private Metrics() {}

    static List<String> of(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.jsonl")).stream()
                .map(l -> l.replaceAll(",?\"[a-z_]*(per_sec|seconds|_ms|_s)\":[-0-9.eE]+", ""))
                .toList();
    }
}
