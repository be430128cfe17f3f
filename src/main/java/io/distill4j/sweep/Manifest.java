package io.distill4j.sweep;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.distill4j.UserError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code OUT/manifest.json} of a sweep (a contract {@code report} reads): the expanded runs with their variant,
 * seed, axes and overrides; the reference variant; where it came from (the sweep file, the git commit) and what
 * ran it (versions of distill4j, DJL, PyTorch and Java; the machine).
 */
public final class Manifest {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().create();

    private Manifest() {}

    public static Path path(Path out) {
        return out.resolve("manifest.json");
    }

    public static JsonObject of(SweepPlan plan, Map<String, String> versions, Map<String, Object> machine) {
        SweepSpec spec = plan.spec();
        JsonObject o = new JsonObject();
        o.addProperty("name", spec.name());
        o.addProperty("sweep_file", spec.file().toString());
        o.addProperty("base", spec.base().toString());
        o.addProperty("reference", spec.reference());
        o.addProperty("created", Instant.now().toString());
        o.addProperty("git_commit", gitCommit());
        JsonObject v = new JsonObject();
        versions.forEach(v::addProperty);
        o.add("versions", v);
        o.add("machine", GSON.toJsonTree(machine));
        JsonArray runs = new JsonArray();
        for (SweepPlan.PlannedRun r : plan.runs()) {
            JsonObject j = new JsonObject();
            j.addProperty("name", r.name());
            j.addProperty("variant", r.variant());
            j.addProperty("seed", r.seed());
            j.add("axes", GSON.toJsonTree(r.axes()));
            j.addProperty("config", r.config().toString());
            JsonArray ov = new JsonArray();
            r.overrides().forEach(ov::add);
            j.add("overrides", ov);
            j.addProperty("dir", r.name());
            j.addProperty("before", r.before());
            j.addProperty("compute_matched", r.computeMatched());
            runs.add(j);
        }
        o.add("runs", runs);
        return o;
    }

    /** Writes atomically (a temporary file renamed over the old one). */
    public static void write(Path out, JsonObject manifest) {
        Path f = path(out);
        try {
            Files.createDirectories(out);
            Path tmp = out.resolve("manifest.json." + ProcessHandle.current().pid() + ".tmp"); // readable by all
            Files.writeString(tmp, GSON.toJson(manifest) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UserError(f + ": cannot write the sweep's manifest: " + e.getMessage());
        }
    }

    /** The commit of the git checkout in the current directory (with "+dirty" for local changes), or null. */
    static String gitCommit() {
        try {
            String head = run("git", "rev-parse", "HEAD");
            if (head == null || head.isBlank()) {
                return null;
            }
            String status = run("git", "status", "--porcelain", "--untracked-files=no");
            return head.trim() + (status != null && !status.isBlank() ? "+dirty" : "");
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
