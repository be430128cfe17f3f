package io.distill4j.report;

import io.distill4j.runtime.Machine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The machines of the runs a report compares. Float results are the same only on CPUs with the same kernels (the
 * same config and seed differed by up to 0.77 points of top-1 between an Intel and an AMD EPYC machine), so a pair
 * whose two runs ran on different CPUs measures the CPUs as well as the methods: pairing by seed does not remove
 * that. Two runs ran on one CPU when their recorded kernels agree; where kernels were not recorded (runs from
 * before runs recorded their machine), CPU models that differ still tell two CPUs apart.
 */
public final class Machines {
    private Machines() {}

    /** TRUE or FALSE when the records tell, null when they cannot (nothing recorded, or only one model string). */
    public static Boolean sameCpu(RunResult a, RunResult b) {
        Machine x = a.machine();
        Machine y = b.machine();
        if (x == null || y == null) {
            return null;
        }
        if (x.kernels() != null && y.kernels() != null) {
            return x.kernels().equals(y.kernels());
        }
        if (x.cpu() != null && y.cpu() != null && !x.cpu().equals(y.cpu())) {
            return false;
        }
        return null;
    }

    /** True when the run was resumed on a CPU whose kernels differ from where it started. */
    public static boolean changedCpu(RunResult r) {
        for (Machine m : r.machines()) {
            if (m.kernels() != null && r.machine().kernels() != null && !m.kernels().equals(r.machine().kernels())) {
                return true;
            }
        }
        return false;
    }

    /** "AMD EPYC [AuthenticAMD avx2]" or "Intel(R) Xeon(R) Processor [kernels not recorded]". */
    public static String describe(Machine m) {
        return m == null ? "not recorded" : m.label();
    }

    /** Each machine the experiment's runs started on, with its runs by variant ("baseline: seeds 0-5"). */
    public static Map<String, String> inventory(Experiment e) {
        Map<String, Map<String, List<String>>> by = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        for (Variant v : e.variants()) {
            for (RunResult r : v.runs()) {
                String key = describe(r.machine());
                by.computeIfAbsent(key, k -> new LinkedHashMap<>()).computeIfAbsent(v.name(), k -> new ArrayList<>())
                        .add(r.seed() == null ? r.name() : "seed " + r.seed());
                if (r.machineSource() != null && !RunResult.RECORDED_BY_RUN.equals(r.machineSource())) {
                    sources.put(key, "as " + r.machineSource() + " says");
                }
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        by.forEach((machine, variants) -> out.put(machine, variants.entrySet().stream()
                .map(en -> en.getKey() + " (" + String.join(", ", en.getValue()) + ")")
                .collect(Collectors.joining("; ")) + (sources.containsKey(machine) ? "; " + sources.get(machine) : "")));
        return out;
    }
}
