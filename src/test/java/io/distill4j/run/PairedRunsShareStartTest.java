package io.distill4j.run;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.distill4j.config.ConfigLoader;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What makes runs of two variants with the same seed a pair: the student (the first network) starts from the same
 * weights and sees the same samples in the same order as the baseline's. Checked for every method that trains a
 * first network of the same architecture (teachers and a method's own networks are built after it).
 */
class PairedRunsShareStartTest {
    @TempDir
    Path dir;

    private static final String BASE = """
            seed: 11
            data: {name: fashion-mnist-mini, train_subset: 256}
            train: {epochs: 1, batch_size: 64, threads: 1}
            """;

    private record Start(List<float[]> weights, List<int[]> order) {}

    private Start start(String yaml) throws IOException {
        Path c = dir.resolve("c" + yaml.hashCode() + ".yaml");
        Files.writeString(c, BASE + yaml);
        try (Run run = Run.build(ConfigLoader.load(c, List.of()))) {
            List<float[]> w = new ArrayList<>();
            for (Pair<String, Parameter> p : run.nets().get(0).block().getParameters()) {
                w.add(p.getValue().getArray().toFloatArray());
            }
            List<int[]> order = new ArrayList<>();
            for (int b = 0; b < run.trainLoader().batchesPerEpoch(); b++) {
                order.add(run.trainLoader().batch(0, b).indices());
            }
            return new Start(w, order);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dlb", "dml", "okdcr", "mkf", "st", "stochastic-depth"})
    void aMethodsFirstNetworkStartsAsTheBaselinesAndSeesTheSameBatches(String method) throws IOException {
        Start baseline = start("networks: {student: {arch: resnet8}}\nmethod: {name: baseline}\n");
        String nets = method.equals("dml") || method.equals("okdcr")
                ? "networks: {student: {arch: resnet8}, peer2: {arch: resnet8}}\n" : "networks: {student: {arch: resnet8}}\n";
        Start other = start(nets + "method: {name: " + method + "}\n");
        assertThat(other.weights()).hasSameSizeAs(baseline.weights());
        for (int i = 0; i < baseline.weights().size(); i++) {
            assertThat(other.weights().get(i)).as("%s: parameter %d", method, i).containsExactly(baseline.weights().get(i));
        }
        for (int b = 0; b < baseline.order().size(); b++) {
            assertThat(other.order().get(b)).as("%s: batch %d", method, b).containsExactly(baseline.order().get(b));
        }
    }
}
