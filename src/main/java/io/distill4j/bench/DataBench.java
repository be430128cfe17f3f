package io.distill4j.bench;

import io.distill4j.config.RunConfig;
import io.distill4j.data.BatchLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.run.DataPipeline;

import java.io.PrintStream;
import java.util.Locale;

/**
 * How fast a config's training batches are made (decoding, augmentation, normalisation), without any network:
 * {@code distill4j data bench}. Times {@code batches} batches of epoch 0 after {@code warmup} others.
 */
public final class DataBench {
    private DataBench() {}

    /** Images per second; prints one line to {@code out}. */
    public static double run(RunConfig cfg, int warmup, int batches, PrintStream out) {
        DataPipeline data = DataPipeline.build(cfg);
        try (BatchLoader loader = data.loaders(cfg, 1).train()) {
            int n = Math.min(loader.batchesPerEpoch(), warmup + batches);
            long images = 0;
            long t0 = 0;
            for (int b = 0; b < n; b++) {
                if (b == Math.min(warmup, n - 1)) {
                    t0 = System.nanoTime();
                    images = 0;
                }
                HostBatch hb = loader.batch(0, b);
                images += hb.size();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double rate = images / secs;
            out.printf(Locale.ROOT, "%s: %d images in %.2f s: %.1f images/s (%d x %d px, %d workers, batch %d)%n",
                    loader.dataset().name(), images, secs, rate, loader.dataset().height(), loader.dataset().width(),
                    cfg.data().files().threads(), cfg.train().batchSize());
            return rate;
        }
    }
}
