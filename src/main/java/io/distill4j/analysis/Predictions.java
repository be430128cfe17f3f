package io.distill4j.analysis;

import ai.djl.ndarray.NDManager;
import io.distill4j.UserError;
import io.distill4j.data.BatchLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.run.Run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every output a restored run's method evaluates (each network, and the ensemble where there are several), as
 * probabilities over a whole split, with the split's labels: what calibration and agreement are computed from.
 *
 * @param outputs probabilities (N x classes, row-major) by output name, in the method's order
 * @param labels  the split's labels
 */
public record Predictions(Map<String, float[]> outputs, int[] labels) {

    /** Forwards every batch of {@code loader} through {@code run}'s method in inference mode. */
    public static Predictions of(Run run, BatchLoader loader, String source) {
        int n = loader.dataset().size();
        Map<String, List<float[]>> parts = new LinkedHashMap<>();
        int[] labels = new int[n];
        int at = 0;
        for (int b = 0; b < loader.batchesPerEpoch(); b++) {
            HostBatch hb = loader.batch(0, b);
            System.arraycopy(hb.labels(), 0, labels, at, hb.size());
            at += hb.size();
            try (NDManager bm = run.manager().newSubManager()) {
                for (var e : run.method().evaluate(hb.view(bm, 0), run.nets()).entrySet()) {
                    float[] p = e.getValue().toFloatArray();
                    for (float v : p) {
                        if (!Float.isFinite(v)) {
                            throw new UserError(source + ": output '" + e.getKey() + "' is NaN or infinite on batch "
                                    + b + " (the weights are not finite or the network diverged)");
                        }
                    }
                    parts.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(p);
                }
            }
        }
        Map<String, float[]> outputs = new LinkedHashMap<>();
        parts.forEach((name, list) -> {
            int total = list.stream().mapToInt(a -> a.length).sum();
            float[] all = new float[total];
            int off = 0;
            for (float[] a : list) {
                System.arraycopy(a, 0, all, off, a.length);
                off += a.length;
            }
            outputs.put(name, all);
        });
        return new Predictions(outputs, labels);
    }

    /** The probabilities of one output (NDArray-free, for tests and the analyses). */
    public float[] output(String name) {
        float[] p = outputs.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no output " + name + " (outputs: " + outputs.keySet() + ")");
        }
        return p;
    }
}
