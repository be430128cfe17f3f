package io.distill4j.methods.dlb;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.FloatBounds;
import io.distill4j.config.ConfigLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.loop.Stepper;
import io.distill4j.losses.DistillLoss;
import io.distill4j.run.Run;
import io.distill4j.runtime.Net;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
            method: {name: dlb, dlb: {temperature: 3, alpha: 1.0}}
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
            Stepper driver = new Stepper(run);
            int steps = run.trainLoader().batchesPerEpoch(); // 4
            Map<Integer, Integer> trained = new HashMap<>();
            Map<Integer, Integer> distilled = new HashMap<>();
            int[] previousBatch = null;
            for (int s = 0; s < 2 * steps; s++) {
                int[] distilledNow = dlb.lastBatch().indices(); // the remembered half this step distils
                int[] current = run.trainLoader().batch(s / steps, s % steps).indices();
                Map<String, Float> losses = driver.step();
                assertThat(losses.containsKey("student/dlb_kl")).isEqualTo(s > 0); // first step: CE only
                assertThat(dlb.lastBatch().indices()).containsExactly(current); // remembered for the next step
                if (previousBatch != null) {
                    assertThat(distilledNow).containsExactly(previousBatch); // last step's batch again
                } else {
                    assertThat(distilledNow).isEmpty();
                }
                if (s < steps) {
                    for (int i : distilledNow) {
                        trained.merge(i, 1, Integer::sum);
                        distilled.merge(i, 1, Integer::sum);
                    }
                    for (int i : current) {
                        trained.merge(i, 1, Integer::sum);
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

    private static float[] lastLogits(Dlb dlb, Run run) {
        try (NDManager m = run.manager().newSubManager()) {
            return dlb.lastBatch().logits(m).toFloatArray();
        }
    }

    /** The logits step 1 produces for the previous half (0:50) and the current half (50:), per forward mode. */
    private static NDArray[] stepOneLogits(Net net, Dlb dlb, HostBatch b1, NDManager m, boolean joint) {
        NDArray prev = dlb.lastBatch().images(m);
        NDArray cur = b1.view(m, 0);
        if (joint) { // one pass over 2N samples: BatchNorm statistics over both halves
            NDArray z = net.logits(NDArrays.concat(new NDList(prev, cur)), true);
            return new NDArray[] {z.get("0:50"), z.get("50:")};
        }
        return new NDArray[] {net.logits(prev, true), net.logits(cur, true)}; // statistics per half
    }

    @ParameterizedTest
    @ValueSource(strings = {"separate", "joint"})
    void theTargetIsTheLogitsOfOneStepEarlierNotRecomputed(String forward) throws IOException {
        try (Run run = run(CONFIG.replace("alpha: 1.0", "alpha: 1.0, forward: " + forward))) {
            Dlb dlb = (Dlb) run.method();
            Net net = run.nets().get(0);
            Stepper driver = new Stepper(run);
            driver.step();
            // step 1 forwards batch 0 view 1 and batch 1 view 0; what it stores must be exactly what the network
            // produced then for batch 1, before its update
            HostBatch b1 = run.trainLoader().batch(0, 1);
            float[] expected;
            float[] otherMode;
            try (NDManager m = run.manager().newSubManager()) {
                expected = stepOneLogits(net, dlb, b1, m, forward.equals("joint"))[1].toFloatArray();
                otherMode = stepOneLogits(net, dlb, b1, m, !forward.equals("joint"))[1].toFloatArray();
            }
            assertThat(otherMode).isNotEqualTo(expected); // the two modes are distinguishable (BatchNorm)
            driver.step();
            // exact: the step's forward in this mode is this one (same weights, batches, order and kernels)
            assertThat(lastLogits(dlb, run)).containsExactly(expected);
            float[] recomputed;
            try (NDManager m = run.manager().newSubManager()) {
                recomputed = net.logits(b1.view(m, 0), true).toFloatArray();
            }
            assertThat(recomputed).isNotEqualTo(lastLogits(dlb, run));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"separate", "joint"})
    void theLossIsCeOverBothHalvesPlusAlphaTimesTheSharedKl(String forward) throws IOException {
        try (Run run = run(CONFIG.replace("alpha: 1.0", "alpha: 0.5, forward: " + forward))) {
            Dlb dlb = (Dlb) run.method();
            Net net = run.nets().get(0);
            Stepper driver = new Stepper(run);
            driver.step();
            float[] target = lastLogits(dlb, run);
            float[] prevTargets;
            try (NDManager m = run.manager().newSubManager()) {
                prevTargets = dlb.lastBatch().targets(m).toFloatArray();
            }
            HostBatch b1 = run.trainLoader().batch(0, 1);
            float expectedKl;
            float expectedCe;
            try (NDManager m = run.manager().newSubManager()) {
                NDArray[] z = stepOneLogits(net, dlb, b1, m, forward.equals("joint"));
                expectedKl = 0.5f * DistillLoss.kl(m.create(target, new Shape(50, 10)), z[0], 3)
                        .getFloat();
                // hard labels: CE = mean over the 100 samples of -log softmax at the label
                float[] logp = NDArrays.concat(new NDList(z[0], z[1])).logSoftmax(1).toFloatArray();
                float[] cur = b1.targets(10);
                double sum = 0;
                for (int i = 0; i < 100; i++) {
                    for (int c = 0; c < 10; c++) {
                        float t = i < 50 ? prevTargets[i * 10 + c] : cur[(i - 50) * 10 + c];
                        sum -= t * logp[i * 10 + c];
                    }
                }
                expectedCe = (float) (sum / 100);
            }
            Map<String, Float> losses = driver.step();
            // exact: the step computes this KL with DistillLoss.kl on the same logits and multiplies by alpha in
            // libtorch: the same IEEE float product as here
            assertThat(losses.get("student/dlb_kl")).isEqualTo(expectedKl);
            // the step sums the same 1,000 products t * log p in float32 (a sum of 10 per sample, then the mean of
            // 100: within gamma(10 + 100) of the terms' absolute sum, which is 100 CE as every term is >= 0); here
            // they are summed in double and rounded to float once (u)
            assertThat(losses.get("student/ce")).isCloseTo(expectedCe,
                    within((float) ((FloatBounds.gamma(110) + FloatBounds.U) * expectedCe)));
        }
    }
}
