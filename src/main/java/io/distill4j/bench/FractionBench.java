package io.distill4j.bench;

import io.distill4j.UserError;
import io.distill4j.methods.mkf.KnowledgeFraction;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code bench --fraction CLASSES}: the time of MKF's knowledge-fraction solvers (none, linear, exact) per batch of
 * 64 random mixed outputs (Dirichlet(1) knowledge, lambda ~ Beta(1, 1)), modes alternating over rounds, best round
 * kept; the ratio to {@code linear} is the number to read.
 */
public final class FractionBench {
    private FractionBench() {}

    /** Prints each round's microseconds per batch of every solver, then the best round's and the ratios. */
    public static void run(int classes, int rounds, int steps, PrintStream out) {
        if (classes < 2) {
            throw new UserError("--fraction: " + classes + " classes (give at least 2)");
        }
        int n = 64;
        int batches = 64;
        SplittableRandom rng = new SplittableRandom(1);
        float[][][] data = new float[batches][3][];
        double[][] lams = new double[batches][n];
        for (int b = 0; b < batches; b++) {
            for (int k = 0; k < 3; k++) {
                data[b][k] = new float[n * classes];
                for (int i = 0; i < n; i++) {
                    double sum = 0;
                    for (int c = 0; c < classes; c++) {
                        double e = -Math.log(1 - rng.nextDouble());
                        data[b][k][i * classes + c] = (float) e;
                        sum += e;
                    }
                    for (int c = 0; c < classes; c++) {
                        data[b][k][i * classes + c] /= (float) sum;
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                lams[b][i] = rng.nextDouble();
            }
        }
        Map<String, Double> best = new LinkedHashMap<>();
        for (int r = 0; r < rounds + 1; r++) { // the first round warms the JIT up and is not kept
            for (var mode : KnowledgeFraction.Mode.values()) {
                long t0 = System.nanoTime();
                int reps = Math.max(1, steps / 4);
                for (int rep = 0; rep < reps; rep++) {
                    for (int b = 0; b < batches; b++) {
                        KnowledgeFraction.batch(mode, data[b][0], data[b][1], data[b][2],
                                lams[b], classes, mode.defaultFloor());
                    }
                }
                double usPerBatch = (System.nanoTime() - t0) / 1e3 / (reps * batches);
                if (r > 0) {
                    best.merge(mode.configName(), usPerBatch, Math::min);
                }
                out.printf(Locale.ROOT, "round %d  %-7s %10.1f us per batch of %d%n", r, mode.configName(),
                        usPerBatch, n);
            }
        }
        out.printf(Locale.ROOT, "%nbest of %d rounds, %d classes, batch %d:%n", rounds, classes, n);
        best.forEach((k, v) -> out.printf(Locale.ROOT, "%-7s %10.1f us per batch   ratio to linear %.3f%n", k,
                v, v / best.get("linear")));
    }
}
