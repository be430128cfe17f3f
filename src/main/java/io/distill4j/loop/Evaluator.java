package io.distill4j.loop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.distill4j.UserError;
import io.distill4j.data.BatchLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.methods.Method;
import io.distill4j.runtime.Net;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Top-1, top-5 and cross-entropy of every output a method exposes, over a whole split. */
public final class Evaluator {
    private Evaluator() {}

    public record Score(double top1, double top5, double loss, long count) {}

    /**
     * Scores every output of {@code method} on every batch of {@code loader}. {@code source} names what is
     * evaluated (a checkpoint, a run at an epoch) in the error raised when an output is not finite.
     */
    public static Map<String, Score> evaluate(Method method, List<Net> nets, BatchLoader loader, NDManager root,
                                              String source) {
        for (Net n : nets) {
            if (n.subNetwork() != null || !n.block().isWhole()) {
                throw new IllegalStateException(n.name() + ": evaluated while a sub-network is in use");
            }
        }
        Map<String, double[]> acc = new LinkedHashMap<>(); // top1 hits, top5 hits, loss sum
        long count = 0;
        for (int b = 0; b < loader.batchesPerEpoch(); b++) {
            HostBatch hb = loader.batch(0, b);
            int[] labels = hb.labels();
            try (NDManager bm = root.newSubManager()) {
                Map<String, NDArray> outputs = method.evaluate(hb.view(bm, 0), nets);
                for (var e : outputs.entrySet()) {
                    float[] probs = e.getValue().toFloatArray();
                    if (!allFinite(probs)) {
                        throw new UserError(source + ": output '" + e.getKey() + "' is NaN or infinite on evaluation"
                                + " batch " + b + " (the weights are not finite or the network diverged); "
                                + "evaluate a checkpoint from before the divergence");
                    }
                    double[] a = acc.computeIfAbsent(e.getKey(), k -> new double[3]);
                    score(probs, labels, a);
                }
            }
            count += labels.length;
        }
        Map<String, Score> out = new LinkedHashMap<>();
        for (var e : acc.entrySet()) {
            double[] a = e.getValue();
            out.put(e.getKey(), new Score(a[0] / count, a[1] / count, a[2] / count, count));
        }
        return out;
    }

    private static boolean allFinite(float[] a) {
        for (float v : a) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Adds top-1 hits, top-5 hits and the summed negative log-likelihood of one batch to {@code acc}. A class
     * tied with the true one ranks above it: a hit needs the true class strictly above the others (a network
     * whose probabilities all saturate to the same value scores 0, not 100%).
     */
    public static void score(float[] probs, int[] labels, double[] acc) {
        int n = labels.length;
        int classes = probs.length / n;
        int k = Math.min(5, classes);
        for (int i = 0; i < n; i++) {
            int off = i * classes;
            float target = probs[off + labels[i]];
            int above = 0; // other classes at or above the true one
            for (int c = 0; c < classes; c++) {
                if (c != labels[i] && probs[off + c] >= target) {
                    above++;
                }
            }
            if (above == 0) {
                acc[0]++;
            }
            if (above < k) {
                acc[1]++;
            }
            acc[2] -= Math.log(Math.max(target, 1e-12));
        }
    }
}
