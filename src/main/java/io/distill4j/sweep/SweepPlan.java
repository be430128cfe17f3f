package io.distill4j.sweep;

import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.config.RunConfig;
import io.distill4j.report.SweepManifest;
import io.distill4j.run.Run;
import io.distill4j.runfolder.RunMachines;
import io.distill4j.runtime.Machine;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sweep expanded into its runs, every one validated (its whole config, as {@code train} would) before the first
 * starts. Overrides apply in order: the sweep's {@code set}, the variant's, then each axis's (the seed last).
 */
public final class SweepPlan {
    /**
     * One run of a sweep.
     *
     * @param name      its folder name under the sweep's output: VARIANT-TAG...-seedN, or the name of a run of
     *                  {@code before:}
     * @param variant   the variant (or the run of {@code before:}) it belongs to
     * @param seed      its seed
     * @param axes      the value of each axis (seed included)
     * @param config    the config file it starts from
     * @param overrides its overrides, as {@code train --set} takes them
     * @param before    a run of {@code before:}, done before every other
     * @param computeMatched the compute-matched reference
     * @param resolved  the resolved config it runs with (what {@code OUT/config.yaml} will hold)
     * @param identity  what makes a run folder this run's ({@code RunConfig.identity}: the config without devices)
     */
    public record PlannedRun(String name, String variant, long seed, Map<String, Object> axes, Path config,
                             List<String> overrides, Path dir, boolean before, boolean computeMatched,
                             String resolved, String identity) {}

    private final SweepSpec spec;
    private final List<PlannedRun> runs;

    private SweepPlan(SweepSpec spec, List<PlannedRun> runs) {
        this.spec = spec;
        this.runs = runs;
    }

    public SweepSpec spec() { return spec; }

    public List<PlannedRun> runs() { return runs; }

    /**
     * The sweep's {@code manifest.json} for {@code report}: every planned run, the reference variant, and where it
     * was run ({@code gitCommit}, {@code versions}, {@code machine}), created now.
     */
    public SweepManifest manifest(String gitCommit, Map<String, String> versions, Map<String, Object> machine) {
        List<SweepManifest.Entry> entries = new ArrayList<>();
        for (PlannedRun r : runs) {
            entries.add(new SweepManifest.Entry(r.name(), r.variant(), Math.toIntExact(r.seed()), r.axes(), r.config().toString(),
                    r.overrides(), r.name(), r.before(), r.computeMatched(), RunMachines.read(r.dir())));
        }
        return new SweepManifest(spec.out(), spec.name(), spec.file().toString(), spec.base().toString(),
                spec.reference(), Instant.now().toString(), gitCommit, versions, machine, entries);
    }

    /**
     * Before any run starts: a sweep whose runs (finished or started) ran on a CPU with other kernels than
     * {@code here}'s continues only with {@code allowOtherCpu}; otherwise one line naming both. Pairs split across
     * two CPUs measure the CPUs too (the same config and seed differ by tenths of a point between them).
     */
    public void checkMachines(Machine here, boolean allowOtherCpu) {
        if (allowOtherCpu) {
            return;
        }
        for (PlannedRun r : runs) {
            Machine first = RunMachines.first(r.dir());
            if (first != null && !first.sameKernels(here)) {
                throw new UserError("sweep " + spec.name() + " (" + spec.out() + "): run " + r.name() + " ran on "
                        + first.brief() + ", this machine is " + here.brief() + ": a comparison's arms must run on "
                        + "one CPU; continue the sweep on a machine with [" + first.kernels() + "], or give "
                        + "--allow-other-cpu (the report then marks the pairs split across CPUs)");
            }
        }
    }

    public List<PlannedRun> beforeRuns() { return runs.stream().filter(PlannedRun::before).toList(); }

    public List<PlannedRun> mainRuns() { return runs.stream().filter(r -> !r.before()).toList(); }

    public static SweepPlan expand(SweepSpec spec) {
        List<PlannedRun> out = new ArrayList<>();
        Map<String, Path> beforeDirs = new LinkedHashMap<>();
        spec.before().keySet().forEach(b -> beforeDirs.put(b, spec.out().resolve(b)));
        for (SweepSpec.Variant b : spec.before().values()) {
            Map<String, Object> o = new LinkedHashMap<>(spec.set());
            o.putAll(b.overrides());
            out.add(plan(spec, beforeDirs, b.name(), b.name(), 0, Map.of(), config(spec, b), o, true, false));
        }
        for (SweepSpec.Variant v : spec.variants().values()) {
            for (List<SweepSpec.Axis.Value> combo : combinations(spec.axes())) {
                if (!allowed(spec, v, combo)) {
                    continue;
                }
                out.add(variantRun(spec, beforeDirs, v, combo, v.name(), null));
            }
        }
        if (spec.computeMatched() != null) {
            SweepSpec.ComputeMatched cm = spec.computeMatched();
            SweepSpec.Variant v = spec.variants().get(cm.variant());
            for (List<SweepSpec.Axis.Value> combo : combinations(spec.axes())) {
                if (allowed(spec, v, combo)) {
                    out.add(variantRun(spec, beforeDirs, v, combo, cm.name(), cm.factor()));
                }
            }
        }
        // seed by seed, so that an interrupted sweep holds complete pairs of variants
        List<Object> seedOrder = spec.axes().get(spec.axes().size() - 1).values().stream()
                .map(SweepSpec.Axis.Value::raw).toList();
        List<PlannedRun> main = new ArrayList<>(out.stream().filter(r -> !r.before()).toList());
        main.sort(Comparator.comparingInt(r -> seedOrder.indexOf(r.axes().get("seed"))));
        out.removeIf(r -> !r.before());
        out.addAll(main);
        Set<String> names = new HashSet<>();
        for (PlannedRun r : out) {
            if (!names.add(r.name())) {
                throw new UserError(spec.file() + ": two runs would share the folder " + r.name() + " (rename a "
                        + "variant or an axis value)");
            }
        }
        return new SweepPlan(spec, List.copyOf(out));
    }

    private static Path config(SweepSpec spec, SweepSpec.Variant v) {
        return v.config() != null ? v.config() : spec.base();
    }

    private static boolean allowed(SweepSpec spec, SweepSpec.Variant v, List<SweepSpec.Axis.Value> combo) {
        for (int i = 0; i < combo.size(); i++) {
            List<String> only = v.only().get(spec.axes().get(i).name());
            if (only != null && !only.contains(String.valueOf(combo.get(i).raw()))) {
                return false;
            }
        }
        return true;
    }

    private static PlannedRun variantRun(SweepSpec spec, Map<String, Path> beforeDirs, SweepSpec.Variant v,
                                         List<SweepSpec.Axis.Value> combo, String name, Double epochFactor) {
        Map<String, Object> o = new LinkedHashMap<>(spec.set());
        o.putAll(v.overrides());
        Map<String, Object> axes = new LinkedHashMap<>();
        StringBuilder folder = new StringBuilder(name);
        long seed = 0;
        for (int i = 0; i < combo.size(); i++) {
            SweepSpec.Axis a = spec.axes().get(i);
            SweepSpec.Axis.Value val = combo.get(i);
            o.putAll(val.overrides());
            axes.put(a.name(), val.raw());
            folder.append('-').append(val.tag());
            if (a.isSeed()) {
                seed = ((Number) val.raw()).longValue();
            }
        }
        if (epochFactor != null) { // the same compute as a method costing epochFactor times per epoch
            RunConfig cfg = load(spec, name, config(spec, v), strings(o, beforeDirs));
            o.put("train.epochs", Math.max(1, Math.round(cfg.train().epochs() * epochFactor)));
        }
        return plan(spec, beforeDirs, folder.toString(), name, seed, axes, config(spec, v), o, false, epochFactor != null);
    }

    /** A run, validated; a run of {@code before:} takes its seed from its config (its {@code seed} is ignored). */
    private static PlannedRun plan(SweepSpec spec, Map<String, Path> beforeDirs, String name, String variant, long seed,
                                   Map<String, Object> axes, Path config, Map<String, Object> overrides,
                                   boolean before, boolean computeMatched) {
        Map<String, Path> folders = new LinkedHashMap<>(beforeDirs);
        folders.put("run", spec.out().resolve(name)); // ${run}: the run's own folder
        List<String> strings = strings(overrides, folders);
        RunConfig cfg = load(spec, name, config, strings);
        try {
            // checkpoints a run of before: will write, and what a preparation step writes, are not there yet
            Run.validate(cfg, path -> beforeDirs.values().stream().noneMatch(d -> Path.of(path).normalize()
                    .startsWith(d.normalize())) && spec.prepared().stream().noneMatch(p -> Path.of(path).normalize()
                    .startsWith(p)));
        } catch (UserError e) {
            throw new UserError(spec.file() + ": run " + name + ": " + e.getMessage());
        }
        return new PlannedRun(name, variant, before ? cfg.seed() : seed, axes, config, strings,
                spec.out().resolve(name), before, computeMatched, ConfigLoader.toYaml(cfg.resolved()), cfg.identity());
    }

    private static RunConfig load(SweepSpec spec, String name, Path config, List<String> overrides) {
        try {
            return ConfigLoader.load(config, overrides);
        } catch (UserError e) {
            throw new UserError(spec.file() + ": run " + name + ": " + e.getMessage());
        }
    }

    /** Overrides as {@code key=value} with the value in flow YAML, {@code ${NAME}} replaced by that folder. */
    static List<String> strings(Map<String, Object> overrides, Map<String, Path> beforeDirs) {
        DumperOptions d = new DumperOptions();
        d.setDefaultFlowStyle(DumperOptions.FlowStyle.FLOW);
        d.setWidth(Integer.MAX_VALUE);
        Yaml yaml = new Yaml(d);
        List<String> out = new ArrayList<>();
        overrides.forEach((k, v) -> out.add(k + "=" + yaml.dump(substitute(v, beforeDirs)).trim()));
        return out;
    }

    private static Object substitute(Object v, Map<String, Path> beforeDirs) {
        if (v instanceof String s) {
            for (var e : beforeDirs.entrySet()) {
                s = s.replace("${" + e.getKey() + "}", e.getValue().toString());
            }
            return s;
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, substitute(x, beforeDirs)));
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(x -> substitute(x, beforeDirs)).toList();
        }
        return v;
    }

    /** Every combination of one value per axis, the last axis varying fastest. */
    static List<List<SweepSpec.Axis.Value>> combinations(List<SweepSpec.Axis> axes) {
        List<List<SweepSpec.Axis.Value>> out = new ArrayList<>();
        out.add(List.of());
        for (SweepSpec.Axis a : axes) {
            List<List<SweepSpec.Axis.Value>> next = new ArrayList<>();
            for (List<SweepSpec.Axis.Value> prefix : out) {
                for (SweepSpec.Axis.Value v : a.values()) {
                    List<SweepSpec.Axis.Value> c = new ArrayList<>(prefix);
                    c.add(v);
                    next.add(c);
                }
            }
            out = next;
        }
        return out;
    }
}
