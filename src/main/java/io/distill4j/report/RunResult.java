package io.distill4j.report;

import com.google.gson.JsonObject;
import io.distill4j.UserError;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A finished run as the report sees it: its variant and seed (from a sweep's manifest, or from the folder name
 * NAME-seedN), what its {@code summary.json} says (old and new schema) and its learning curves.
 */
public record RunResult(Path dir, String name, String variant, Integer seed, String method, Selection selection,
                        int bestEpoch, Map<String, NetworkResult> networks, RunCost cost, LearningCurves curves) {

    public static RunResult read(Path dir, String name, String variant, Integer seed) {
        Path file = dir.resolve("summary.json");
        JsonObject s = JsonFields.readObject(file, "is the run finished?");
        JsonObject nets = JsonFields.object(s, "networks", file, true);
        Map<String, NetworkResult> networks = new LinkedHashMap<>();
        for (var e : nets.entrySet()) {
            if (!e.getValue().isJsonObject()) {
                throw new UserError(file + ": networks." + e.getKey() + " is not an object");
            }
            JsonObject n = e.getValue().getAsJsonObject();
            double params = JsonFields.number(n, "params", file);
            networks.put(e.getKey(), new NetworkResult(JsonFields.string(n, "arch", file, "?"),
                    JsonFields.requiredNumber(n, "best_top1", file), JsonFields.requiredNumber(n, "last_top1", file),
                    JsonFields.number(n, "best_validation_top1", file), JsonFields.number(n, "last_train_top1", file),
                    Double.isNaN(params) ? 0 : (long) params));
        }
        if (networks.isEmpty()) {
            throw new UserError(file + ": networks is empty");
        }
        String selectionValue = JsonFields.string(s, "selection", file, null);
        Selection selection = Selection.parse(selectionValue);
        if (selection == null) {
            throw new UserError(file + ": selection is '" + selectionValue + "', valid: validation, test");
        }
        Integer recordedSeed = JsonFields.integer(s, "seed", file);
        Integer bestEpoch = JsonFields.integer(s, "best_epoch", file);
        return new RunResult(dir, name, variant, seed != null ? seed : recordedSeed,
                JsonFields.string(s, "method", file, "?"), selection, bestEpoch == null ? -1 : bestEpoch,
                Collections.unmodifiableMap(networks), RunCost.read(s, file),
                LearningCurves.read(dir.resolve("metrics.jsonl")));
    }
}
