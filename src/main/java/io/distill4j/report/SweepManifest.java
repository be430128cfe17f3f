package io.distill4j.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.distill4j.UserError;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sweep folder's {@code manifest.json}: its name, the reference variant, where it was run (commit, versions,
 * machine) and its runs, each with its variant, seed and folder.
 */
public record SweepManifest(Path dir, String name, String reference, String gitCommit, Map<String, String> versions,
                            Map<String, String> machine, List<Entry> runs) {

    public record Entry(String name, String variant, Integer seed, String dir, boolean computeMatched) {}

    public static final String FILE = "manifest.json";

    public static SweepManifest read(Path sweepDir) {
        Path file = sweepDir.resolve(FILE);
        JsonObject m = JsonFields.readObject(file, "not a sweep folder");
        JsonElement runsElement = m.get("runs");
        if (runsElement == null || !runsElement.isJsonArray()) {
            throw new UserError(file + ": runs is " + runsElement + ", expected a list of runs");
        }
        List<Entry> runs = new ArrayList<>();
        int i = 0;
        for (JsonElement e : runsElement.getAsJsonArray()) {
            if (!e.isJsonObject()) {
                throw new UserError(file + ": runs[" + i + "] is not an object");
            }
            JsonObject r = e.getAsJsonObject();
            String name = JsonFields.string(r, "name", file, null);
            String variant = JsonFields.string(r, "variant", file, null);
            if (name == null || variant == null) {
                throw new UserError(file + ": runs[" + i + "] needs name and variant");
            }
            JsonElement cm = r.get("compute_matched");
            runs.add(new Entry(name, variant, JsonFields.integer(r, "seed", file), JsonFields.string(r, "dir", file, name),
                    cm != null && cm.isJsonPrimitive() && cm.getAsBoolean()));
            i++;
        }
        return new SweepManifest(sweepDir, JsonFields.string(m, "name", file, sweepDir.getFileName().toString()),
                JsonFields.string(m, "reference", file, null), JsonFields.string(m, "git_commit", file, null),
                flat(JsonFields.object(m, "versions", file, false)), flat(JsonFields.object(m, "machine", file, false)),
                List.copyOf(runs));
    }

    /** An object's entries as text, for the page's provenance lines. */
    private static Map<String, String> flat(JsonObject o) {
        Map<String, String> out = new LinkedHashMap<>();
        if (o != null) {
            for (var e : o.entrySet()) {
                JsonElement v = e.getValue();
                out.put(e.getKey(), v.isJsonPrimitive() ? v.getAsString() : v.toString());
            }
        }
        return out;
    }
}
