package io.distill4j.report;

import com.google.gson.JsonObject;

import java.nio.file.Path;

/**
 * What a run cost: training seconds and throughput, and where recorded, the images forwarded and
 * back-propagated. From summary.json's {@code cost}; older runs have only {@code wall_seconds} (which includes
 * evaluation) and {@code train_images_per_sec}, and NaN for the image counts ({@code recorded} false).
 */
public record RunCost(double trainSeconds, double imagesPerSec, double imagesForwarded, double imagesBackpropagated,
                      boolean recorded) {

    static RunCost read(JsonObject summary, Path file) {
        JsonObject cost = JsonFields.object(summary, "cost", file, false);
        if (cost == null) {
            return new RunCost(JsonFields.number(summary, "wall_seconds", file),
                    JsonFields.number(summary, "train_images_per_sec", file), Double.NaN, Double.NaN, false);
        }
        return new RunCost(JsonFields.number(cost, "train_seconds", file), JsonFields.number(cost, "images_per_sec", file),
                JsonFields.number(cost, "images_forwarded", file), JsonFields.number(cost, "images_backpropagated", file),
                true);
    }
}
