package io.distill4j.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.distill4j.config.ConfigLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.knowledge.DistillLoss;
import io.distill4j.training.Net;
import io.distill4j.training.Run;
import io.distill4j.training.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DlbTest {
    @TempDir
    Path dir;

    static final String CONFIG = """
            seed: 11
            data: {name: fashion-mnist-mini, train_subset: 200}
            networks: {student: {arch: resnet8}}
            train: {epochs: 3, batch_size: 50, log_every: 1, threads: 1}
            optim: {lr: 0.1}
            method: {name: dlb, temperature: 3, alpha: 1.0}
            """;

    private Run run(String yaml) throws IOException {
        Path p = dir.resolve("dlb.yaml");
        Files.writeString(p, yaml);
        return Run.build(ConfigLoader.load(p, List.of()));
    }

    @Test
    void everySampleIsTrainedInTwoConsecutiveStepsAndDistilledOnce() throws IOException {
        try (Run run = run(CONFIG)) {
            Dlb dlb = (Dlb) run.method();
            Trainer.StepDriver driver = new Trainer(run, dir.resolve("o"), System.err).driver();
            int steps = run.trainLoader().batchesPerEpoch(); // 4
            Map<Integer, Integer> trained = new HashMap<>();
            Map<Integer, Integer> distilled = new HashMap<>();
            int[] previousBatch = null;
            for (int s = 0; s < 2 * steps; s++) {
                Map<String, Float> losses = driver.step();
                assertThat(losses.containsKey("student/dlb_kl")).isEqualTo(s > 0); // first step: CE only
                int[] current = Arrays.copyOfRange(dlb.lastTrained, dlb.lastDistilled.length, dlb.lastTrained.length);
                if (previousBatch != null) {
                    assertThat(dlb.lastDistilled).containsExactly(previousBatch); // last step's batch again
                }
                assertThat(dlb.lastTrained).hasSize(dlb.lastDistilled.length + 50);
                if (s < steps) {
                    for (int i : dlb.lastTrained) {
                        trained.merge(i, 1, Integer::sum);
                    }
                    for (int i : dlb.lastDistilled) {
                        distilled.merge(i, 1, Integer::sum);
                    }
                }
                previousBatch = current;
            }
            // over the first epoch's 4 steps: the 150 samples of batches 0..2 were trained twice, batch 3 once
            // so far (it is trained again at the first step of the next epoch), batch 0 never distilled
            assertThat(trained.values().stream().filter(v -> v == 2).count()).isEqualTo(150);
            assertThat(trained.values().stream().filter(v -> v == 1).count()).isEqualTo(50);
            assertThat(distilled).hasSize(150);
            assertThat(distilled.values()).containsOnly(1);
        }
    }

    @Test
    void theTargetIsTheLogitsOfOneStepEarlierNotRecomputed() throws IOException {
        try (Run run = run(CONFIG)) {
            Dlb dlb = (Dlb) run.method();
            Net net = run.nets().get(0);
            Trainer.StepDriver driver = new Trainer(run, dir.resolve("o"), System.err).driver();
            driver.step();
            // step 1 forwards [batch 0 view 1; batch 1 view 0]; what it stores must be exactly what the network
            // produced then, before its update
            HostBatch b1 = run.trainLoader().batch(0, 1);
            float[] expected;
            float[] prevImages = dlb.prevImages();
            try (NDManager m = run.manager().newSubManager()) {
                NDArray x = NDArrays.concat(new NDList(
                        m.create(prevImages, new ai.djl.ndarray.types.Shape(dlb.prevShape())), b1.view(m, 0)));
                expected = net.logits(x, true).get("50:").toFloatArray();
            }
            driver.step();
            assertThat(dlb.prevLogits()).containsExactly(expected, within(1e-4f));
            float[] recomputed;
            try (NDManager m = run.manager().newSubManager()) {
                recomputed = net.logits(b1.view(m, 0), true).toFloatArray();
            }
            assertThat(recomputed).isNotEqualTo(dlb.prevLogits());
        }
    }

    @Test
    void klTermIsAlphaTimesTheSharedHelper() throws IOException {
        try (Run run = run(CONFIG.replace("alpha: 1.0", "alpha: 0.5"))) {
            Dlb dlb = (Dlb) run.method();
            Net net = run.nets().get(0);
            Trainer.StepDriver driver = new Trainer(run, dir.resolve("o"), System.err).driver();
            driver.step();
            float[] target = dlb.prevLogits();
            float[] prevImages = dlb.prevImages();
            HostBatch b1 = run.trainLoader().batch(0, 1);
            float expected;
            try (NDManager m = run.manager().newSubManager()) {
                NDArray x = NDArrays.concat(new NDList(
                        m.create(prevImages, new ai.djl.ndarray.types.Shape(dlb.prevShape())), b1.view(m, 0)));
                NDArray z = net.logits(x, true).get("0:50");
                expected = 0.5f * DistillLoss.kl(m.create(target, new ai.djl.ndarray.types.Shape(50, 10)), z, 3).getFloat();
            }
            Map<String, Float> losses = driver.step();
            assertThat(losses.get("student/dlb_kl")).isCloseTo(expected, within(1e-4f));
        }
    }
}
