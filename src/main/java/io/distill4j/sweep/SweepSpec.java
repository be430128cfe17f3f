package io.distill4j.sweep;

import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A sweep file: a base config, named variants (sets of overrides), axes crossed with every variant (seeds and any
 * config key), runs needed first (e.g. teachers), and an optional compute-matched reference.
 *
 * <pre>
 * name: dlb                                  # default: the file's name
 * base: configs/fashion-mnist/dlb.yaml       # paths are relative to the current directory
 * out: runs/experiments/dlb                  # default: runs/sweeps/NAME
 * reference: baseline                        # the variant the report compares against (default: the first)
 * set: {train.epochs: 20}                    # overrides of every run
 * seeds: [0, 1, 2]                           # the seed axis, crossed last
 * axes:                                      # crossed in order; a run's folder is VARIANT-TAG...-seedN
 *   labels: {clean: {}, noise40: {data.label_noise: 0.4}}    # named values: tags clean, noise40
 *   train.batch_size: [64, 128]              # a config key: tags batch_size64, batch_size128
 * before:                                    # run once, first, in OUT/NAME; ${NAME} in a value is that folder
 *                                            # (and ${run} the run's own, e.g. for a file of its own)
 *   teacher: {config: configs/fashion-mnist/kd-teacher.yaml}
 * variants:                                  # config: another base; only: {AXIS: [values]} restricts the axes
 *   baseline: {method.name: baseline}
 *   kd: {method.name: kd, teachers.t.checkpoint: "${teacher}/checkpoints/best.ckpt"}
 * compute_matched: {variant: baseline, factor: 2.1}   # adds baseline-x2.1: train.epochs times the factor
 * prepared: [runs/fmnist64]                  # written by a preparation step the file's header names (a tools/
 *                                            # script): files under them need not exist when the sweep is planned
 * </pre>
 */
public record SweepSpec(Path file, String name, Path base, Path out, String reference, Map<String, Object> set,
                        List<Axis> axes, Map<String, Variant> before, Map<String, Variant> variants,
                        ComputeMatched computeMatched, List<Path> prepared) {
    private static final Set<String> KEYS = Set.of("name", "base", "out", "reference", "set", "seeds", "axes",
            "before", "variants", "compute_matched", "prepared");

    /**
     * One axis: its name (a config key, or a free name whose values are sets of overrides) and its values, each
     * with the tag it adds to a run's folder name and the overrides it applies.
     */
    public record Axis(String name, List<Value> values) {
        public record Value(String tag, Object raw, Map<String, Object> overrides) {}

        public boolean isSeed() { return name.equals("seed"); }
    }

    /** A variant, or a run done before: another base config (or null) and overrides; restrictions of axes. */
    public record Variant(String name, Path config, Map<String, Object> overrides, Map<String, List<String>> only) {}

    /** A reference given the compute of another variant: {@code train.epochs} multiplied by {@code factor}. */
    public record ComputeMatched(String variant, double factor, String name) {}

    public static SweepSpec read(Path file, Path outOverride) {
        Map<String, Object> m = ConfigLoader.readYaml(file);
        for (String k : m.keySet()) {
            if (!KEYS.contains(k)) {
                throw new UserError(file + ": unknown key '" + k + "' (valid: " + String.join(", ", new TreeSet<>(KEYS)) + ")");
            }
        }
        String stem = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        String name = string(file, m, "name", stem);
        checkName(file, "name", name);
        String baseText = string(file, m, "base", null);
        if (baseText == null) {
            throw new UserError(file + ": base: is required (the config every run starts from, e.g. "
                    + "configs/fashion-mnist/dlb.yaml)");
        }
        Path base = Path.of(baseText);
        Path out = outOverride != null ? outOverride : Path.of(string(file, m, "out", "runs/sweeps/" + name));
        Map<String, Object> set = overrides(file, "set", m.get("set"));

        List<Axis> axes = new ArrayList<>();
        Object axesRaw = m.get("axes");
        if (axesRaw != null) {
            for (var e : map(file, "axes", axesRaw).entrySet()) {
                axes.add(axis(file, e.getKey(), e.getValue()));
            }
        }
        if (m.containsKey("seeds")) {
            if (axes.stream().anyMatch(Axis::isSeed)) {
                throw new UserError(file + ": seeds: given twice (as seeds and as axes.seed); keep one");
            }
            axes.add(axis(file, "seed", m.get("seeds")));
        } else if (axes.stream().noneMatch(Axis::isSeed)) {
            axes.add(axis(file, "seed", List.of(0))); // every run has a seed, and its folder says which
        }
        // the seed axis is crossed last, so that a run's folder name ends in -seedN
        List<Axis> ordered = new ArrayList<>(axes.stream().filter(a -> !a.isSeed()).toList());
        ordered.add(axes.stream().filter(Axis::isSeed).findFirst().orElseThrow());

        Map<String, Variant> before = variants(file, "before", m.get("before"), false);
        Map<String, Variant> variants = variants(file, "variants", m.get("variants"), true);
        if (variants.isEmpty()) {
            throw new UserError(file + ": variants: is required (at least one, e.g. variants: {baseline: "
                    + "{method.name: baseline}, dlb: {method.name: dlb}})");
        }
        for (Variant v : variants.values()) {
            for (var o : v.only().entrySet()) {
                Axis a = ordered.stream().filter(x -> x.name().equals(o.getKey())).findFirst().orElseThrow(() ->
                        new UserError(file + ": variants." + v.name() + ".only: no axis '" + o.getKey() + "' (axes: "
                                + ordered.stream().map(Axis::name).toList() + ")"));
                List<String> tags = a.values().stream().map(x -> String.valueOf(x.raw())).toList();
                for (String t : o.getValue()) {
                    if (!tags.contains(t)) {
                        throw new UserError(file + ": variants." + v.name() + ".only." + o.getKey() + ": '" + t
                                + "' is not a value of that axis (values: " + tags + ")");
                    }
                }
            }
        }
        if (before.containsKey("run")) {
            throw new UserError(file + ": before: a run may not be named 'run' (${run} is each run's own folder)");
        }
        for (String b : before.keySet()) {
            if (variants.containsKey(b)) {
                throw new UserError(file + ": '" + b + "' is both a variant and a run of before:; rename one");
            }
        }
        String reference = string(file, m, "reference", variants.keySet().iterator().next());
        ComputeMatched cm = null;
        if (m.get("compute_matched") != null) {
            Map<String, Object> c = map(file, "compute_matched", m.get("compute_matched"));
            for (String k : c.keySet()) {
                if (!Set.of("variant", "factor", "name").contains(k)) {
                    throw new UserError(file + ": compute_matched." + k + ": unknown key (valid: variant, factor, name)");
                }
            }
            String of = c.containsKey("variant") ? String.valueOf(c.get("variant")) : reference;
            if (!(c.get("factor") instanceof Number f) || f.doubleValue() <= 0 || f.doubleValue() > 1000) {
                throw new UserError(file + ": compute_matched.factor: needs a number in (0, 1000]: the cost of the "
                        + "compared method per epoch relative to " + of + " (distill4j bench measures it)");
            }
            String cmName = c.containsKey("name") ? String.valueOf(c.get("name"))
                    : of + "-x" + trim(f.doubleValue());
            checkName(file, "compute_matched.name", cmName);
            cm = new ComputeMatched(of, f.doubleValue(), cmName);
            if (!variants.containsKey(of)) {
                throw new UserError(file + ": compute_matched.variant: no variant '" + of + "' (variants: "
                        + variants.keySet() + ")");
            }
            if (variants.containsKey(cmName)) {
                throw new UserError(file + ": compute_matched.name: '" + cmName + "' is already a variant");
            }
        }
        if (!variants.containsKey(reference) && !(cm != null && cm.name().equals(reference))) {
            throw new UserError(file + ": reference: no variant '" + reference + "' (variants: " + variants.keySet() + ")");
        }
        List<Path> prepared = new ArrayList<>();
        Object preparedRaw = m.get("prepared");
        if (preparedRaw != null) {
            if (!(preparedRaw instanceof List<?> l)) {
                throw new UserError(file + ": prepared: needs a list of paths, got '" + preparedRaw + "'");
            }
            l.forEach(p -> prepared.add(Path.of(String.valueOf(p)).normalize()));
        }
        return new SweepSpec(file, name, base, out, reference, set, List.copyOf(ordered), before, variants, cm,
                List.copyOf(prepared));
    }

    static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static Axis axis(Path file, String name, Object raw) {
        String where = name.equals("seed") ? "seeds" : "axes." + name;
        List<Axis.Value> values = new ArrayList<>();
        if (raw instanceof List<?> list) {
            if (list.isEmpty()) {
                throw new UserError(file + ": " + where + ": needs at least one value");
            }
            String key = name;
            String short_ = key.substring(key.lastIndexOf('.') + 1);
            for (Object v : list) {
                if (v instanceof Map || v instanceof List || v == null) {
                    throw new UserError(file + ": " + where + ": '" + v + "': values of a key axis are numbers, "
                            + "strings or booleans (for sets of overrides, give a mapping of names to overrides)");
                }
                if (name.equals("seed") && !(v instanceof Integer || v instanceof Long)) {
                    throw new UserError(file + ": seeds: '" + v + "' is not an integer seed");
                }
                Map<String, Object> o = new LinkedHashMap<>();
                o.put(key, v);
                String tag = short_ + trimValue(v);
                checkName(file, where, tag);
                values.add(new Axis.Value(tag, v, o));
            }
        } else if (raw instanceof Map<?, ?> && !name.equals("seed")) {
            for (var e : map(file, where, raw).entrySet()) {
                checkName(file, where, e.getKey());
                values.add(new Axis.Value(e.getKey(), e.getKey(), overrides(file, where + "." + e.getKey(), e.getValue())));
            }
            if (values.isEmpty()) {
                throw new UserError(file + ": " + where + ": needs at least one value");
            }
        } else {
            throw new UserError(file + ": " + where + ": needs a list of values" + (name.equals("seed") ? ""
                    : " (a config key's), or a mapping of value names to overrides"));
        }
        if (values.stream().map(Axis.Value::tag).distinct().count() != values.size()) {
            throw new UserError(file + ": " + where + ": values repeat");
        }
        return new Axis(name, List.copyOf(values));
    }

    private static String trimValue(Object v) {
        return v instanceof Double d ? trim(d) : String.valueOf(v);
    }

    private static Map<String, Variant> variants(Path file, String key, Object raw, boolean allowOnly) {
        Map<String, Variant> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        for (var e : map(file, key, raw).entrySet()) {
            String name = e.getKey();
            checkName(file, key, name);
            Map<String, Object> o = new LinkedHashMap<>(e.getValue() == null ? Map.of()
                    : map(file, key + "." + name, e.getValue()));
            Path config = o.containsKey("config") ? Path.of(String.valueOf(o.remove("config"))) : null;
            Map<String, List<String>> only = new LinkedHashMap<>();
            if (o.containsKey("only")) {
                Object onlyRaw = o.remove("only");
                if (!allowOnly) {
                    throw new UserError(file + ": " + key + "." + name + ".only: runs of before: are not crossed "
                            + "with the axes");
                }
                for (var a : map(file, key + "." + name + ".only", onlyRaw).entrySet()) {
                    if (!(a.getValue() instanceof List<?> l)) {
                        throw new UserError(file + ": " + key + "." + name + ".only." + a.getKey() + ": needs a list "
                                + "of that axis's values");
                    }
                    only.put(a.getKey(), l.stream().map(SweepSpec::trimValue).toList());
                }
            }
            out.put(name, new Variant(name, config, overrides(file, key + "." + name, o), only));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Path file, String key, Object raw) {
        if (!(raw instanceof Map)) {
            throw new UserError(file + ": " + key + ": needs a mapping, got '" + raw + "'");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        ((Map<Object, Object>) raw).forEach((k, v) -> m.put(String.valueOf(k), v));
        return m;
    }

    /** A mapping of dotted config keys to values (YAML values, maps included). */
    private static Map<String, Object> overrides(Path file, String key, Object raw) {
        if (raw == null) {
            return Map.of();
        }
        Map<String, Object> m = map(file, key, raw);
        for (String k : m.keySet()) {
            if (!k.matches("[A-Za-z_][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)*")) {
                throw new UserError(file + ": " + key + ": '" + k + "' is not a config key (dotted, e.g. "
                        + "method.dlb.alpha)");
            }
        }
        return m;
    }

    private static String string(Path file, Map<String, Object> m, String key, String def) {
        Object v = m.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Map || v instanceof List) {
            throw new UserError(file + ": " + key + ": needs a single value, got '" + v + "'");
        }
        return String.valueOf(v);
    }

    /** Names become folder names: letters, digits, '.', '_', '-', '@', '+'. */
    private static void checkName(Path file, String key, String name) {
        if (!name.matches("[A-Za-z0-9._@+-]+") || name.startsWith(".")) {
            throw new UserError(file + ": " + key + ": '" + name + "' cannot name a folder (use letters, digits, "
                    + "'.', '_', '-', '@', '+')");
        }
    }
}
