package io.distill4j.loop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.distill4j.data.HostBatch;
import io.distill4j.models.Network;
import io.distill4j.run.Run;
import io.distill4j.runtime.Net;
import io.distill4j.util.Seeds;

import java.util.ArrayList;
import java.util.List;

/**
 * Re-estimates every BatchNorm's running statistics of the trainable networks on a sample of training batches
 * before each evaluation ({@code train.bn_recalibration: K} batches), as Stimulative Training's reference code
 * does: methods that train sub-networks leave statistics that mix sub-networks' activations, while the whole
 * network is evaluated. The estimate is the plain average over the K batches of each batch's mean and unbiased
 * variance (PyTorch's cumulative average, {@code momentum=None}), recovered from how one training-mode forward
 * moves the running statistics ({@link Network#BN_UPDATE}). The K batches are a seeded choice per epoch, from
 * the training loader (augmented as trained, but before Mixup or CutMix: the statistics are those of whole
 * images), forwarded through the whole network without gradient.
 */
public final class BatchNormRecalibration implements TrainingListener {
    private final int batches;

    public BatchNormRecalibration(int batches) {
        this.batches = batches;
    }

    @Override
    public void beforeEvaluation(Trainer trainer, int epoch) {
        recalibrate(trainer.run(), epoch, batches);
    }

    /** Re-estimates the running statistics of {@code run}'s trainable networks on {@code k} batches. */
    public static void recalibrate(Run run, int epoch, int k) {
        int available = run.trainLoader().batchesPerEpoch();
        int[] order = Seeds.permutation(available, Seeds.rng(run.config().seed(), "bn-recalibration", epoch));
        int count = Math.min(k, available);
        for (Net net : run.nets()) {
            List<Parameter> stats = new ArrayList<>();
            for (var p : net.block().getParameters()) {
                Parameter.Type t = p.getValue().getType();
                if (t == Parameter.Type.RUNNING_MEAN || t == Parameter.Type.RUNNING_VAR) {
                    stats.add(p.getValue());
                }
            }
            float f = Network.BN_UPDATE;
            double[][] sum = new double[stats.size()][];
            for (int b = 0; b < count; b++) {
                HostBatch hb = run.trainLoader().batch(epoch, order[b]);
                float[][] before = new float[stats.size()][];
                for (int i = 0; i < stats.size(); i++) {
                    before[i] = stats.get(i).getArray().toFloatArray();
                }
                try (NDManager m = run.manager().newSubManager()) {
                    // the images as trained but unmixed: Mixup and CutMix blends are not the evaluated inputs
                    net.logits(hb.unmixedView(m, 0), true);
                }
                for (int i = 0; i < stats.size(); i++) {
                    float[] after = stats.get(i).getArray().toFloatArray();
                    if (sum[i] == null) {
                        sum[i] = new double[after.length];
                    }
                    for (int c = 0; c < after.length; c++) { // the batch's statistic: (after - (1-f) before) / f
                        sum[i][c] += (after[c] - (1 - f) * (double) before[i][c]) / f;
                    }
                }
            }
            for (int i = 0; i < stats.size() && count > 0; i++) {
                float[] avg = new float[sum[i].length];
                for (int c = 0; c < avg.length; c++) {
                    avg[c] = (float) (sum[i][c] / count);
                }
                NDArray a = stats.get(i).getArray();
                a.set(avg);
            }
        }
    }
}
