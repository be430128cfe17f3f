package io.distill4j.bench;

import io.distill4j.UserError;
import io.distill4j.export.Exporter;
import io.distill4j.export.ModelCard;
import io.distill4j.export.TrainedNetwork;
import io.distill4j.inference.Classifier;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * {@code bench --inference}: images per second of a trained network in distill4j's own forward pass (inference mode,
 * as evaluation runs it), exported to ONNX in ONNX Runtime, and exported to a DJL folder in DJL; each at the given
 * batch sizes, measured in alternating rounds within one process (best round kept), so the ratios hold even on a
 * machine whose speed drifts. All three use the same number of intra-op threads.
 */
public final class InferenceBench {
    private InferenceBench() {}

    /** Prints the logits' differences, each round's images/s and the best round's ratios to distill4j's; returns 0. */
    public static int run(Path source, String network, List<Integer> batchSizes, int rounds, int warmup,
                          double seconds, PrintStream out) {
        for (int b : batchSizes) {
            if (b < 1 || b > 4096) {
                throw new UserError("--batch-sizes: " + b + " is not a batch size (1 to 4096)");
            }
        }
        if (!(seconds > 0 && seconds <= 600)) {
            throw new UserError("--seconds: " + seconds + " is not a duration (more than 0, at most 600)");
        }
        Path tmp;
        try {
            tmp = Files.createTempDirectory("distill4j-bench-");
        } catch (IOException e) {
            throw new UserError("cannot create a temporary folder: " + e.getMessage());
        }
        List<Classifier> runtimes = new ArrayList<>();
        try {
            try (TrainedNetwork t = TrainedNetwork.load(source, network)) {
                Exporter.export(t, Exporter.Format.ONNX, tmp.resolve("onnx"), false);
                Exporter.export(t, Exporter.Format.DJL, tmp.resolve("djl"), false);
            }
            runtimes.add(Classifier.load(source, network));
            runtimes.add(Classifier.load(tmp.resolve("onnx")));
            runtimes.add(Classifier.load(tmp.resolve("djl")));
            ModelCard card = runtimes.get(0).card();
            int size = card.channels() * card.height() * card.width();
            int maxBatch = batchSizes.stream().max(Integer::compare).orElse(1);
            float[] pixels = new float[maxBatch * size];
            Random rnd = new Random(0);
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = rnd.nextInt(256) / 255f;
            }
            float[] reference = runtimes.get(0).logits(pixels, maxBatch);
            for (Classifier c : runtimes.subList(1, runtimes.size())) {
                float[] l = c.logits(pixels, maxBatch);
                float diff = 0;
                for (int i = 0; i < l.length; i++) {
                    diff = Math.max(diff, Math.abs(l[i] - reference[i]));
                }
                out.printf(Locale.ROOT, "%-12s max |logit - distill4j's| over %d images: %.2e%n", c.runtime(),
                        maxBatch, diff);
            }
            Map<String, Double> best = new LinkedHashMap<>();
            for (int r = 1; r <= rounds; r++) {
                for (int batch : batchSizes) {
                    for (Classifier c : runtimes) {
                        for (int i = 0; i < warmup; i++) {
                            c.logits(pixels, batch);
                        }
                        long calls = 0;
                        long t0 = System.nanoTime();
                        long t;
                        do {
                            c.logits(pixels, batch);
                            calls++;
                            t = System.nanoTime();
                        } while (t - t0 < seconds * 1e9 || calls < 3);
                        double ips = calls * batch / ((t - t0) / 1e9);
                        best.merge(c.runtime() + "@" + batch, ips, Math::max);
                        out.printf(Locale.ROOT, "round %d  batch %4d  %-12s %10.1f images/s%n", r, batch,
                                c.runtime(), ips);
                    }
                }
            }
            out.printf(Locale.ROOT, "%nbest of %d rounds (%.1f s each after %d warm-up calls), %s '%s' %dx%dx%d, "
                    + "%d threads:%n", rounds, seconds, warmup, card.arch(), card.network(), card.channels(),
                    card.height(), card.width(), Integer.getInteger("ai.djl.pytorch.num_threads",
                            Runtime.getRuntime().availableProcessors()));
            out.printf(Locale.ROOT, "%-7s %-12s %12s %10s%n", "batch", "runtime", "images/s", "ratio");
            for (int batch : batchSizes) {
                double ref = best.get("distill4j@" + batch);
                for (Classifier c : runtimes) {
                    double ips = best.get(c.runtime() + "@" + batch);
                    out.printf(Locale.ROOT, "%-7d %-12s %12.1f %9.2fx%n", batch, c.runtime(), ips, ips / ref);
                }
            }
        } finally {
            runtimes.forEach(Classifier::close);
            deleteTree(tmp);
        }
        return 0;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
