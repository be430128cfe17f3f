package io.distill4j.sweep;

import io.distill4j.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sweep files of {@code experiments/} replace the shell scripts that produced the archived results of
 * RESULTS.md: every run of each sweep has an archived run under {@code results/} whose config it reproduces
 * (every key the archived config.yaml gives has the same value; keys added since are at their defaults). A run
 * with the same config on the same machine and thread count is the same computation (ResumeTest and
 * EveryMethodResumesExactlyTest show runs are deterministic).
 */
class ShippedSweepsTest {
    /** Where each sweep's runs were archived. */
    static final Map<String, List<String>> ARCHIVES = Map.ofEntries(
            Map.entry("dlb", List.of("dlb", "dlb-ablation")),
            Map.entry("dlb-augmented", List.of("dlb-augmented", "dlb-forward")),
            Map.entry("kd", List.of("kd", "kd/teachers", "kd-ablation", "meal-v2-temperature")),
            Map.entry("online", List.of("online")),
            Map.entry("online-long", List.of("online-long")),
            Map.entry("online-noaug", List.of("online-noaug")),
            Map.entry("mkf", List.of("mkf-preliminary")),
            Map.entry("mkf-overfit", List.of("mkf-overfit")),
            Map.entry("kd-store", List.of("kd-store")),
            Map.entry("mkf-long", List.of("mkf-long")),
            Map.entry("mkf-article", List.of("mkf-article")),
            Map.entry("main", List.of("main")),
            Map.entry("feature-methods", List.of("feature-methods")),
            Map.entry("dkd", List.of("dkd")),
            Map.entry("dlb-noise", List.of("dlb-noise")),
            Map.entry("dml-noaug", List.of("dml-noaug")),
            Map.entry("meal-v2-t4", List.of("meal-v2-t4")),
            Map.entry("mkf-batches", List.of("mkf-batches")),
            Map.entry("logit-methods", List.of("logit-methods")),
            Map.entry("scripted-student", List.of("scripted-student")),
            Map.entry("kd-views", List.of("kd-views")),
            Map.entry("kd-views-crops", List.of("kd-views-crops")));

    @Test
    void everySweepRunReproducesItsArchivedConfig() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("experiments"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).hasSize(ARCHIVES.size());
        int compared = 0;
        for (Path f : files) {
            SweepPlan plan = SweepPlan.expand(SweepSpec.read(f, null));
            List<String> archives = ARCHIVES.get(plan.spec().name());
            assertThat(archives).as("%s: archive of sweep %s", f, plan.spec().name()).isNotNull();
            for (SweepPlan.PlannedRun r : plan.runs()) {
                List<Path> found = new ArrayList<>();
                for (String a : archives) {
                    Path c = Path.of("results", a, r.name(), "config.yaml");
                    if (Files.exists(c)) {
                        found.add(c);
                    }
                }
                assertThat(found).as("%s: archived run of %s", f, r.name()).isNotEmpty();
                Map<String, Object> planned = flatten(ConfigLoader.readYamlString(r.resolved()), "");
                for (Path c : found) {
                    Map<String, Object> archived = flatten(nestMethodOptions(ConfigLoader.readYaml(c)), "");
                    for (var e : archived.entrySet()) {
                        String key = e.getKey();
                        if (key.endsWith(".device")) {
                            continue; // where a run computes is no part of its identity (RunConfig.identity)
                        }
                        if (key.matches("teachers\\.[^.]+\\.checkpoint")) { // the teachers' folder moved
                            String teacherRun = Path.of((String) e.getValue()).getParent().getParent().getFileName().toString();
                            assertThat((String) planned.get(key)).as("%s: %s", c, key)
                                    .endsWith(teacherRun + "/checkpoints/best.ckpt");
                            continue;
                        }
                        assertThat(planned).as("%s: %s", c, key).containsKey(key);
                        assertThat(normal(planned.get(key))).as("%s: %s", c, key).isEqualTo(normal(e.getValue()));
                    }
                    compared++;
                }
            }
        }
        assertThat(compared).isGreaterThan(100);
    }

    /** The first format of method options ({@code method: {name: dlb, alpha: 1}}) in today's form. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> nestMethodOptions(Map<String, Object> cfg) {
        Map<String, Object> m = (Map<String, Object>) cfg.get("method");
        String name = (String) m.get("name");
        if (m.containsKey(name)) {
            return cfg;
        }
        Map<String, Object> options = new LinkedHashMap<>(m);
        options.remove("name");
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("name", name);
        if (!options.isEmpty()) {
            nested.put(name, options);
        }
        cfg.put("method", nested);
        return cfg;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> flatten(Map<String, Object> m, String prefix) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : m.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> sub && !sub.isEmpty()) {
                out.putAll(flatten((Map<String, Object>) sub, prefix + e.getKey() + "."));
            } else {
                out.put(prefix + e.getKey(), e.getValue() instanceof Map<?, ?> ? null : e.getValue());
            }
        }
        return out;
    }

    /** Numbers compare by value (1 and 1.0 are the same setting). */
    private static Object normal(Object v) {
        return v instanceof Number n ? (Object) n.doubleValue() : v;
    }
}
