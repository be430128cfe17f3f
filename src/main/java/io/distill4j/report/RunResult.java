package io.distill4j.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.distill4j.UserError;
import io.distill4j.runtime.Machine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A finished run as the report sees it: its variant and seed (from a sweep's manifest, or from the folder name
 * NAME-seedN), what its {@code summary.json} says (old and new schema), its learning curves, and the machines it
 * ran on with where that was recorded ({@code machineSource}: {@code run} when the run recorded them itself, else
 * what its sweep's manifest says; empty and null when nothing was recorded).
 */
public record RunResult(Path dir, String name, String variant, Integer seed, String method, Selection selection,
                        int bestEpoch, Map<String, NetworkResult> networks, RunCost cost, LearningCurves curves,
                        List<Machine> machines, String machineSource) {
    public static final String RECORDED_BY_RUN = "run";

    public RunResult {
        machines = List.copyOf(machines);
    }

    /** This run with the machines a sweep's manifest gives for it, where the run recorded none itself. */
    public RunResult withMachines(List<Machine> m, String source) {
        return machines.isEmpty() && !m.isEmpty() ? new RunResult(dir, name, variant, seed, method, selection,
                bestEpoch, networks, cost, curves, m, source) : this;
    }

    /** The machine the run started on, or null. */
    public Machine machine() {
        return machines.isEmpty() ? null : machines.get(0);
    }

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
        List<Machine> machines = new ArrayList<>();
        if (s.has("machines") && s.get("machines").isJsonArray()) {
            for (JsonElement m : s.getAsJsonArray("machines")) {
                if (!m.isJsonObject()) {
                    throw new UserError(file + ": machines holds " + m + ", expected objects");
                }
                machines.add(Machine.fromJson(m.getAsJsonObject()));
            }
        }
        return new RunResult(dir, name, variant, seed != null ? seed : recordedSeed,
                JsonFields.string(s, "method", file, "?"), selection, bestEpoch == null ? -1 : bestEpoch,
                Collections.unmodifiableMap(networks), RunCost.read(s, file),
                LearningCurves.read(dir.resolve("metrics.jsonl")), machines,
                machines.isEmpty() ? null : RECORDED_BY_RUN);
    }
}
