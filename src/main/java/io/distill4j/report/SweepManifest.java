package io.distill4j.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.reflect.TypeToken;
import io.distill4j.UserError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sweep folder's {@code manifest.json}, written by {@code sweep} and read by {@code report}: the sweep's name,
 * file and base config, the reference variant, when and where it was run (commit, versions of distill4j, DJL,
 * PyTorch and Java, the machine that last ran {@code sweep} on it) and its runs, each with its variant, seed, axes,
 * config and overrides, folder, whether it is a {@code before:} run or a compute-matched one, and the machines it
 * ran on (from its folder's {@code machines.json}: where it started, then each resume; empty until it starts).
 */
public record SweepManifest(Path dir, String name, String sweepFile, String base, String reference, String created,
                            String gitCommit, Map<String, String> versions, Map<String, Object> machine,
                            List<Entry> runs) {

    /** One run of the sweep; its folder {@code dir} is relative to the sweep's. */
    public record Entry(String name, String variant, Integer seed, Map<String, Object> axes, String config,
                        List<String> overrides, String dir, boolean before, boolean computeMatched,
                        List<JsonObject> machines) {
        public Entry {
            machines = machines == null ? List.of() : List.copyOf(machines);
        }
    }

    public static final String FILE = "manifest.json";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().create();

    public static Path path(Path sweepDir) {
        return sweepDir.resolve(FILE);
    }

    /** Writes {@code dir/manifest.json} atomically (a temporary file renamed over the old one). */
    public void write() {
        JsonObject o = new JsonObject();
        o.addProperty("name", name);
        o.addProperty("sweep_file", sweepFile);
        o.addProperty("base", base);
        o.addProperty("reference", reference);
        o.addProperty("created", created);
        o.addProperty("git_commit", gitCommit);
        o.add("versions", GSON.toJsonTree(versions));
        o.add("machine", GSON.toJsonTree(machine));
        JsonArray list = new JsonArray();
        for (Entry r : runs) {
            JsonObject j = new JsonObject();
            j.addProperty("name", r.name());
            j.addProperty("variant", r.variant());
            j.addProperty("seed", r.seed());
            j.add("axes", GSON.toJsonTree(r.axes()));
            j.addProperty("config", r.config());
            j.add("overrides", GSON.toJsonTree(r.overrides()));
            j.addProperty("dir", r.dir());
            j.addProperty("before", r.before());
            j.addProperty("compute_matched", r.computeMatched());
            JsonArray machines = new JsonArray();
            r.machines().forEach(machines::add);
            j.add("machines", machines);
            list.add(j);
        }
        o.add("runs", list);
        Path f = path(dir);
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(FILE + "." + ProcessHandle.current().pid() + ".tmp"); // readable by all
            Files.writeString(tmp, GSON.toJson(o) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UserError(f + ": cannot write the sweep's manifest: " + e.getMessage());
        }
    }

    /** Reads {@code sweepDir/manifest.json}; a missing or malformed field is one line naming the file. */
    public static SweepManifest read(Path sweepDir) {
        Path file = path(sweepDir);
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
            JsonObject axes = JsonFields.object(r, "axes", file, false);
            JsonElement overrides = r.get("overrides");
            List<JsonObject> machines = new ArrayList<>();
            if (r.get("machines") != null && r.get("machines").isJsonArray()) {
                for (JsonElement x : r.getAsJsonArray("machines")) {
                    if (!x.isJsonObject()) {
                        throw new UserError(file + ": runs[" + i + "].machines holds " + x + ", expected objects");
                    }
                    machines.add(x.getAsJsonObject());
                }
            }
            runs.add(new Entry(name, variant, JsonFields.integer(r, "seed", file),
                    axes == null ? Map.of() : GSON.fromJson(axes, new TypeToken<Map<String, Object>>() {}.getType()),
                    JsonFields.string(r, "config", file, null),
                    overrides == null || !overrides.isJsonArray() ? List.of()
                            : GSON.fromJson(overrides, new TypeToken<List<String>>() {}.getType()),
                    JsonFields.string(r, "dir", file, name), flag(r, "before"), flag(r, "compute_matched"), machines));
            i++;
        }
        return new SweepManifest(sweepDir, JsonFields.string(m, "name", file, sweepDir.getFileName().toString()),
                JsonFields.string(m, "sweep_file", file, null), JsonFields.string(m, "base", file, null),
                JsonFields.string(m, "reference", file, null), JsonFields.string(m, "created", file, null),
                JsonFields.string(m, "git_commit", file, null), text(JsonFields.object(m, "versions", file, false)),
                machineMap(JsonFields.object(m, "machine", file, false)), List.copyOf(runs));
    }

    /** The manifest's machine as written (lists stay lists), or empty. */
    private static Map<String, Object> machineMap(JsonObject o) {
        return o == null ? new LinkedHashMap<>() : GSON.fromJson(o, new TypeToken<LinkedHashMap<String, Object>>() {}.getType());
    }

    private static boolean flag(JsonObject o, String key) {
        JsonElement v = o.get(key);
        return v != null && v.isJsonPrimitive() && v.getAsBoolean();
    }

    /** An object's entries as text, for the page's provenance lines. */
    private static Map<String, String> text(JsonObject o) {
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
