package io.distill4j.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.distill4j.data.BatchLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.methods.Method;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Top-1, top-5 and cross-entropy of every output a method exposes, over a whole split. */
public final class Evaluator {
    private Evaluator() {}

    public record Score(double top1, double top5, double loss, long count) {}

    public static Map<String, Score> evaluate(Method method, List<Net> nets, BatchLoader loader, NDManager root) {
        Map<String, double[]> acc = new LinkedHashMap<>(); // top1 hits, top5 hits, loss sum
        long count = 0;
        for (int b = 0; b < loader.batchesPerEpoch(); b++) {
            HostBatch hb = loader.batch(0, b);
            int[] labels = hb.labels();
            try (NDManager bm = root.newSubManager()) {
                Map<String, NDArray> outputs = method.evaluate(hb.view(bm, 0), nets);
                for (var e : outputs.entrySet()) {
                    float[] probs = e.getValue().toFloatArray();
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

    /** Adds top-1 hits, top-5 hits and the summed negative log-likelihood of one batch to {@code acc}. */
    static void score(float[] probs, int[] labels, double[] acc) {
        int n = labels.length;
        int classes = probs.length / n;
        int k = Math.min(5, classes);
        for (int i = 0; i < n; i++) {
            int off = i * classes;
            float target = probs[off + labels[i]];
            int above = 0; // classes ranked strictly above the true one (ties count in its favour)
            for (int c = 0; c < classes; c++) {
                if (probs[off + c] > target) {
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
