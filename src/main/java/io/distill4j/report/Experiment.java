package io.distill4j.report;

import com.google.gson.Gson;
import io.distill4j.UserError;
import io.distill4j.runtime.Machine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runs a report covers, grouped into variants. Each input is a sweep folder (it has manifest.json: its runs
 * are grouped by the manifest's variant and seed) or a run folder (it has summary.json: grouped by the folder
 * name without a trailing -seedN, the seed taken from that suffix, else from the summary). Two runs of one
 * variant with the same seed are refused: pairing by seed would be ambiguous.
 */
public record Experiment(List<Variant> variants, List<SweepManifest> sweeps, String defaultReference) {
    private static final Pattern SEEDED = Pattern.compile("^(.*)-seed(\\d+)$");

    public static Experiment load(List<Path> inputs) {
        if (inputs.isEmpty()) {
            throw new UserError("no run or sweep folder given");
        }
        List<RunResult> runs = new ArrayList<>();
        Map<String, Boolean> computeMatched = new HashMap<>();
        List<SweepManifest> sweeps = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isRegularFile(input.resolve(SweepManifest.FILE))) {
                SweepManifest m = SweepManifest.read(input);
                sweeps.add(m);
                for (SweepManifest.Entry e : m.runs()) {
                    Path dir = input.resolve(e.dir());
                    if (!Files.isDirectory(dir)) {
                        throw new UserError(input.resolve(SweepManifest.FILE) + ": run " + e.name() + ": folder " + dir
                                + " does not exist (is the sweep finished?)");
                    }
                    RunResult run = RunResult.read(dir, e.name(), e.variant(), e.seed());
                    if (!e.machines().isEmpty()) { // an archive's machines, noted in its manifest afterwards
                        run = run.withMachines(e.machines().stream().map(Machine::fromJson).toList(),
                                "its sweep's manifest entry");
                    } else if (!m.machine().isEmpty()) { // before runs recorded their machine: the sweep's
                        run = run.withMachines(List.of(Machine.fromJson(new Gson().toJsonTree(m.machine())
                                .getAsJsonObject())), "its sweep's manifest (one machine for the whole sweep)");
                    }
                    runs.add(run);
                    computeMatched.merge(e.variant(), e.computeMatched(), Boolean::logicalOr);
                }
            } else if (Files.isRegularFile(input.resolve("summary.json"))) {
                String name = input.toAbsolutePath().normalize().getFileName().toString();
                Matcher m = SEEDED.matcher(name);
                runs.add(m.matches() ? RunResult.read(input, name, m.group(1), Integer.valueOf(m.group(2)))
                        : RunResult.read(input, name, name, null));
            } else if (!Files.isDirectory(input)) {
                throw new UserError(input + ": no such folder (expected a run folder with summary.json or a sweep "
                        + "folder with manifest.json)");
            } else if (Files.exists(input.resolve("metrics.jsonl")) || Files.exists(input.resolve("config.yaml"))) {
                throw new UserError(input.resolve("summary.json") + ": missing (is the run finished?)");
            } else {
                throw new UserError(input + ": not a run (no summary.json) nor a sweep (no manifest.json)");
            }
        }
        Map<String, List<RunResult>> byVariant = new LinkedHashMap<>();
        Map<String, RunResult> bySeed = new HashMap<>();
        for (RunResult r : runs) {
            if (r.seed() != null) {
                RunResult other = bySeed.putIfAbsent(r.variant() + "\u0000" + r.seed(), r);
                if (other != null) {
                    throw new UserError(r.dir() + ": variant " + r.variant() + " seed " + r.seed() + " again (also "
                            + other.dir() + "): pairing by seed needs one run per variant and seed");
                }
            }
            byVariant.computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(r);
        }
        List<Variant> variants = new ArrayList<>();
        byVariant.forEach((name, rs) -> variants.add(new Variant(name, List.copyOf(rs),
                computeMatched.getOrDefault(name, false))));
        String reference = sweeps.stream().map(SweepManifest::reference).filter(Objects::nonNull)
                .findFirst().orElse(byVariant.containsKey("baseline") ? "baseline" : null);
        return new Experiment(List.copyOf(variants), List.copyOf(sweeps), reference);
    }

    public Variant variant(String name) {
        return variants.stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
    }
}
