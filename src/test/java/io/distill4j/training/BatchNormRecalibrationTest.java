package io.distill4j.training;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.distill4j.config.ConfigLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.runtime.Net;
import io.distill4j.util.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** BatchNorm statistics re-estimated on training batches: the plain average of the batches' statistics. */
class BatchNormRecalibrationTest {
    @TempDir
    Path dir;

    private Run run() throws IOException {
        Path cfg = ResumeTest.config(dir, ResumeTest.CONFIG.replace("eval_batch_size: 500", "eval_batch_size: 64"));
        return Run.build(ConfigLoader.load(cfg, List.of()));
    }

    private static List<float[]> stats(Net net) {
        List<float[]> out = new ArrayList<>();
        for (var p : net.block().getParameters()) {
            Parameter.Type t = p.getValue().getType();
            if (t == Parameter.Type.RUNNING_MEAN || t == Parameter.Type.RUNNING_VAR) {
                out.add(p.getValue().getArray().toFloatArray());
            }
        }
        return out;
    }

    @Test
    void onOneBatchInferenceOnThatBatchMatchesTheTrainingModeForward() throws IOException {
        try (Run run = run(); NDManager m = run.manager().newSubManager()) {
            Net net = run.nets().get(0);
            int[] order = Seeds.permutation(run.trainLoader().batchesPerEpoch(),
                    Seeds.rng(run.config().seed(), "bn-recalibration", 1));
            HostBatch hb = run.trainLoader().batch(1, order[0]);
            float[] train = net.logits(hb.view(m, 0), true).toFloatArray();
            float[] before = net.logits(hb.view(m, 0), false).toFloatArray();
            BatchNormRecalibration.recalibrate(run, 1, 1);
            float[] after = net.logits(hb.view(m, 0), false).toFloatArray();
            double errBefore = 0;
            double errAfter = 0;
            for (int i = 0; i < train.length; i++) {
                errBefore = Math.max(errBefore, Math.abs(before[i] - train[i]));
                errAfter = Math.max(errAfter, Math.abs(after[i] - train[i]));
            }
            assertThat(errBefore).as("fresh running statistics differ from the batch's").isGreaterThan(0.05);
            // equal up to the unbiased (running) vs biased (training) variance, n = 64 * H * W per channel
            assertThat(errAfter).isLessThan(2e-3);
        }
    }

    @Test
    void onSeveralBatchesTheStatisticsAreTheAverageOfEachBatchs() throws IOException {
        try (Run run = run()) {
            Net net = run.nets().get(0);
            int[] order = Seeds.permutation(run.trainLoader().batchesPerEpoch(),
                    Seeds.rng(run.config().seed(), "bn-recalibration", 2));
            List<List<float[]>> single = new ArrayList<>();
            List<float[]> start = stats(net);
            for (int b = 0; b < 3; b++) {
                // each batch's statistics alone: recalibrate on the permutation's b-th batch only
                try (Run r = run()) {
                    int[] o = order.clone();
                    HostBatch hb = r.trainLoader().batch(2, o[b]);
                    Net n = r.nets().get(0);
                    List<float[]> before = stats(n);
                    try (NDManager m = r.manager().newSubManager()) {
                        n.logits(hb.view(m, 0), true);
                    }
                    List<float[]> after = stats(n);
                    List<float[]> batch = new ArrayList<>();
                    for (int i = 0; i < after.size(); i++) {
                        float[] s = new float[after.get(i).length];
                        for (int c = 0; c < s.length; c++) {
                            s[c] = (after.get(i)[c] - 0.9f * before.get(i)[c]) / 0.1f;
                        }
                        batch.add(s);
                    }
                    single.add(batch);
                }
            }
            assertThat(stats(net).get(0)).containsExactly(start.get(0));
            BatchNormRecalibration.recalibrate(run, 2, 3);
            List<float[]> got = stats(net);
            for (int i = 0; i < got.size(); i++) {
                for (int c = 0; c < got.get(i).length; c++) {
                    float expected = (single.get(0).get(i)[c] + single.get(1).get(i)[c] + single.get(2).get(i)[c]) / 3;
                    assertThat(got.get(i)[c]).as("statistic %d[%d]", i, c)
                            .isCloseTo(expected, within(1e-4f + 1e-4f * Math.abs(expected)));
                }
            }
        }
    }
}
