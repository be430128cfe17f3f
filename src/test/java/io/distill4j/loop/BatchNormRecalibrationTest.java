package io.distill4j.loop;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.distill4j.FloatBounds;
import io.distill4j.config.ConfigLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.run.Run;
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
        for (Parameter p : statParameters(net)) {
            out.add(p.getArray().toFloatArray());
        }
        return out;
    }

    /** Every BatchNorm's running mean and running variance, in the block's order. */
    private static List<Parameter> statParameters(Net net) {
        List<Parameter> out = new ArrayList<>();
        for (var p : net.block().getParameters()) {
            Parameter.Type t = p.getValue().getType();
            if (t == Parameter.Type.RUNNING_MEAN || t == Parameter.Type.RUNNING_VAR) {
                out.add(p.getValue());
            }
        }
        return out;
    }

    /**
     * A bound on the error of a batch statistic recovered from one training-mode forward, (after - 0.9 before) / 0.1,
     * in float (the test's) or double (BatchNormRecalibration's): the update after = 0.9 before + 0.1 s rounds
     * (3 roundings of terms up to 0.9 |before| + 0.1 |s|), the recovery subtracts 0.9 before (0.9 stored: u; the
     * product and the difference: u each) and divides by 0.1 (stored: u; the quotient: u), which multiplies every
     * error before it by 10: within 60 u |before| + 8 u |s|.
     */
    static double recovery(double before, double s) {
        return FloatBounds.U * (60 * Math.abs(before) + 8 * Math.abs(s));
    }

    @Test
    void onOneBatchInferenceOnThatBatchMatchesTheTrainingModeForward() throws IOException {
        try (Run run = run(); NDManager m = run.manager().newSubManager()) {
            Net net = run.nets().get(0);
            int[] order = Seeds.permutation(run.trainLoader().batchesPerEpoch(),
                    Seeds.rng(run.config().seed(), "bn-recalibration", 1));
            HostBatch hb = run.trainLoader().batch(1, order[0]);
            List<float[]> beforeStats = stats(net);
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
            assertThat(errAfter).as("recalibrated: closer to the batch's").isLessThan(errBefore);
            // The running statistics are now the batch's mean and unbiased variance, where the training-mode forward
            // normalises with the biased one: undo the factor n / (n - 1) (n = 64 images x H x W: resnet8's 16, 32
            // and 64 channels at 28x28, 14x14 and 7x7) and inference on the batch is the training-mode forward up to
            // rounding: the network's forward-error bound (FloatBounds.network: other formulas, same reductions),
            // plus per BatchNorm layer the relative error that the recovered statistics put on the normalised
            // activations, |d mean| / sd + |d var| / (2 var) at most (recovery() of each, and the scaling: u var)
            List<Parameter> params = statParameters(net);
            List<float[]> now = stats(net);
            double g = FloatBounds.network(net.block(), 7 * 7);
            for (int i = 0; i < params.size(); i += 2) { // mean, variance
                float[] mean = now.get(i);
                float[] var = now.get(i + 1);
                double n = 64.0 * Math.pow(28.0 * 16 / var.length, 2);
                float[] biased = new float[var.length];
                double worst = 0;
                for (int c = 0; c < var.length; c++) {
                    biased[c] = (float) (var[c] * ((n - 1) / n));
                    // the running values before the recovery: the fresh ones, moved once by the forward of train
                    double dm = recovery(Math.abs(beforeStats.get(i)[c]) + Math.abs(mean[c]), mean[c]);
                    double dv = recovery(Math.abs(beforeStats.get(i + 1)[c]) + var[c], var[c]) + FloatBounds.U * var[c];
                    worst = Math.max(worst, dm / Math.sqrt(biased[c]) + dv / (2 * biased[c]));
                }
                params.get(i + 1).getArray().set(biased);
                g += worst;
            }
            float[] corrected = net.logits(hb.view(m, 0), false).toFloatArray();
            double[] bound = FloatBounds.perSample(corrected, train, 10, g);
            for (int i = 0; i < train.length; i++) {
                assertThat((double) corrected[i]).as("logit %d (bound %.3g)", i, bound[i])
                        .isCloseTo(train[i], within(bound[i]));
            }
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
            // the batches' statistics themselves are the same in every run (a training-mode forward does not read
            // the running statistics); what differs is their recovery: here from a fresh network's (start) in float,
            // there in double from the running values before each batch (start, then moved by the batches before:
            // at most |start| + the sum of the batches' |s|), each within recovery(); the mean of three here in float
            // (two sums, a division: 3 u of the terms) and there in double, cast (u). Averaged over the three
            for (int i = 0; i < got.size(); i++) {
                for (int c = 0; c < got.get(i).length; c++) {
                    double sumAbs = 0;
                    for (int b = 0; b < 3; b++) {
                        sumAbs += Math.abs(single.get(b).get(i)[c]);
                    }
                    double bound = 0;
                    for (int b = 0; b < 3; b++) {
                        double s = single.get(b).get(i)[c];
                        bound += recovery(start.get(i)[c], s) + recovery(Math.abs(start.get(i)[c]) + sumAbs, s);
                    }
                    bound = bound / 3 + 4 * FloatBounds.U * sumAbs / 3;
                    float expected = (single.get(0).get(i)[c] + single.get(1).get(i)[c] + single.get(2).get(i)[c]) / 3;
                    assertThat((double) got.get(i)[c]).as("statistic %d[%d]", i, c)
                            .isCloseTo(expected, within(bound));
                }
            }
        }
    }
}
