package io.distill4j.bench;

import ai.djl.pytorch.jni.JniUtils;
import io.distill4j.config.ConfigLoader;
import io.distill4j.config.RunConfig;
import io.distill4j.loop.Stepper;
import io.distill4j.run.Run;
import io.distill4j.runtime.Machine;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Training throughput as ratios measured in one process ({@code distill4j bench}): each method of the list on the
 * config's networks and data (the first is the reference; {@link BenchConfigs} adapts the config to each), in
 * alternating rounds whose median is reported, optionally with PyTorch on the same ResNet, where a step's time goes,
 * and libtorch's profile of one more round.
 */
public final class MethodBench {
    private MethodBench() {}

    /**
     * Times {@code steps} steps after {@code warmup} of each method per round and prints each round, the medians
     * and the phases of the last round; {@code methods} empty: the config's; {@code pytorch} null: no PyTorch;
     * {@code profile} null: no profile, else Chrome traces {@code profile/METHOD.json}; {@code student} not null:
     * each method also as {@code METHOD/scripted}, the config's first network replaced by that TorchScript module.
     */
    public static void run(Path config, List<String> overrides, List<String> methods, Path student, int steps,
                           int warmup, int rounds, Path profile, PyTorchReference pytorch, PrintStream out)
            throws IOException {
        RunConfig base = ConfigLoader.load(config, overrides);
        List<String> methodNames = new ArrayList<>(methods);
        if (methodNames.isEmpty()) {
            methodNames.add(base.methodName());
        }
        Map<String, List<String>> variants = new LinkedHashMap<>(); // label -> its overrides
        for (String method : methodNames) {
            variants.put(method, BenchConfigs.overrides(base, overrides, method));
            if (student != null) {
                variants.put(method + "/scripted", BenchConfigs.scripted(base, overrides, method, student));
            }
        }
        List<String> names = new ArrayList<>(variants.keySet());
        Map<String, List<Double>> all = new LinkedHashMap<>();
        Map<String, Map<String, Double>> phases = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (String method : names) {
                RunConfig cfg = ConfigLoader.load(config, variants.get(method));
                try (Run run = Run.build(cfg)) {
                    Stepper d = new Stepper(run);
                    for (int i = 0; i < warmup; i++) {
                        d.step();
                    }
                    d.times().reset();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < steps; i++) {
                        d.step();
                    }
                    double ips = (double) steps * cfg.train().batchSize() / ((System.nanoTime() - t0) / 1e9);
                    all.computeIfAbsent(method, k -> new ArrayList<>()).add(ips);
                    if (profile != null && r == rounds - 1) { // apart from the timed steps: profiling slows them
                        Files.createDirectories(profile);
                        JniUtils.startProfile(false, false, false);
                        for (int i = 0; i < steps; i++) {
                            d.step();
                        }
                        JniUtils.stopProfile(profile.resolve(method.replace('/', '-') + ".json").toString());
                    }
                    phases.put(method, d.times().perStepMillis());
                    out.printf(Locale.ROOT, "round %d  %-17s %8.1f images/s%n", r + 1, method, ips);
                }
            }
            if (pytorch != null) {
                double ips = pytorch.imagesPerSec(base, steps, warmup, phases);
                all.computeIfAbsent("pytorch", k -> new ArrayList<>()).add(ips);
                out.printf(Locale.ROOT, "round %d  %-10s %8.1f images/s%n", r + 1, "pytorch", ips);
            }
        }
        Map<String, Double> median = new LinkedHashMap<>();
        all.forEach((k, v) -> median.put(k, Median.of(v)));
        String ref = names.get(0);
        out.printf(Locale.ROOT, "%nmedian of %d alternating rounds, %d steps after %d warm-up, batch %d, network %s, "
                        + "%d threads; allocator: distill4j %s%s%s:%n", rounds, steps, warmup, base.train().batchSize(),
                base.networks().get(0).arch(), base.train().resolvedThreads(), Machine.currentAllocator(),
                base.train().channelsLast() ? ", channels-last" : ", default layout",
                pytorch != null ? ", " + pytorch.describe() : "");
        for (var e : median.entrySet()) {
            out.printf(Locale.ROOT, "%-17s %8.1f images/s   cost per image relative to %s %.2f%s%n", e.getKey(),
                    e.getValue(), ref, median.get(ref) / e.getValue(),
                    median.containsKey("pytorch") && !e.getKey().equals("pytorch")
                            ? String.format(Locale.ROOT, "   speed relative to pytorch %.3f", e.getValue() / median.get("pytorch"))
                            : "");
        }
        out.printf(Locale.ROOT, "%nwhere a step's time goes (ms per step, last round):%n%-17s", "");
        List<String> columns = List.of("data", "forward+loss", "backward", "optimizer", "other");
        columns.forEach(n -> out.printf(Locale.ROOT, " %13s", n));
        out.println();
        for (var e : phases.entrySet()) {
            out.printf(Locale.ROOT, "%-17s", e.getKey());
            columns.forEach(n -> out.printf(Locale.ROOT, " %13s", e.getValue().containsKey(n)
                    ? String.format(Locale.ROOT, "%.2f", e.getValue().get(n)) : "-"));
            out.println();
        }
    }
}
