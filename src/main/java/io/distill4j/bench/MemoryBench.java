package io.distill4j.bench;

import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.config.RunConfig;
import io.distill4j.loop.Evaluator;
import io.distill4j.loop.Stepper;
import io.distill4j.run.Run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Memory of this process as Linux reports it ({@code /proc/self/status}): {@code bench --soak}, resident memory over
 * a long run (it should stay flat), and {@code bench --memory}, the peak of training or evaluation, against PyTorch's.
 */
public final class MemoryBench {
    private MemoryBench() {}

    /**
     * A long run in one process: steps through epochs (with the evaluation the trainer would run) and prints
     * RSS, the Java heap in use and the arrays of the run's long-lived managers every 5% of the steps; the
     * growth is reported from 10% of the steps (after warm-up) to the end.
     */
    public static void soak(Path config, List<String> overrides, long soak, PrintStream out) throws IOException {
        if (soak < 20) {
            throw new UserError("--soak: " + soak + " steps is too short to tell a trend (give at least 20)");
        }
        RunConfig cfg = ConfigLoader.load(config, overrides);
        try (Run run = Run.build(cfg)) {
            Stepper d = new Stepper(run);
            int perEpoch = run.trainLoader().batchesPerEpoch();
            long every = Math.max(1, soak / 20);
            long start = soak / 10;
            long rss0 = 0;
            long t0 = System.nanoTime();
            out.printf(Locale.ROOT, "%8s %10s %10s %8s %10s%n", "step", "rss_mib", "heap_mib", "arrays", "img/s");
            for (long i = 1; i <= soak; i++) {
                d.step();
                if (i % perEpoch == 0) {
                    Evaluator.evaluate(run.method(), run.nets(), run.testLoader(), run.manager(), "soak step " + i);
                }
                if (i == start) {
                    rss0 = rssKb();
                }
                if (i % every == 0 || i == soak) {
                    Runtime rt = Runtime.getRuntime();
                    double secs = (System.nanoTime() - t0) / 1e9;
                    out.printf(Locale.ROOT, "%8d %10.1f %10.1f %8d %10.1f%n", i, rssKb() / 1024.0,
                            (rt.totalMemory() - rt.freeMemory()) / 1048576.0, managedArrays(run),
                            i * cfg.train().batchSize() / secs);
                }
            }
            out.printf(Locale.ROOT, "%nRSS from step %d to %d: %+.1f MiB (%s, batch %d, %s)%n", start, soak,
                    (rssKb() - rss0) / 1024.0, cfg.networks().get(0).arch(), cfg.train().batchSize(), cfg.methodName());
        }
    }

    /**
     * Peak resident memory (VmHWM) of training ({@code mode} train: {@code warmup + steps} steps) or evaluation
     * ({@code mode} eval: as many batches of the test split) in this process, and PyTorch's in its own process for
     * the same network and batch ({@code pytorch} not null). Measured from a fresh process: one mode per process.
     */
    public static void peak(Path config, List<String> overrides, String mode, int warmup, int steps,
                            PyTorchReference pytorch, PrintStream out) throws IOException {
        if (!mode.equals("train") && !mode.equals("eval")) {
            throw new UserError("--memory: '" + mode + "' is not train or eval");
        }
        RunConfig cfg = ConfigLoader.load(config, overrides);
        int batch;
        try (Run run = Run.build(cfg)) {
            if (mode.equals("train")) {
                batch = cfg.train().batchSize();
                Stepper d = new Stepper(run);
                for (int i = 0; i < warmup + steps; i++) {
                    d.step();
                }
            } else {
                batch = cfg.train().evalBatchSize();
                var loader = run.testLoader();
                for (int i = 0; i < warmup + steps; i++) {
                    var hb = loader.batch(0, i % loader.batchesPerEpoch());
                    try (var bm = run.manager().newSubManager()) {
                        run.method().evaluate(hb.view(bm, 0), run.nets()).values().forEach(a -> a.toFloatArray());
                    }
                }
            }
        }
        double mine = statusKb("VmHWM:") / 1024.0;
        out.printf(Locale.ROOT, "distill4j peak_rss_mib=%.1f mode=%s batch=%d steps=%d network=%s threads=%d "
                        + "(the JVM, the dataset's splits in memory: %s)%n", mine, mode, batch, warmup + steps,
                cfg.networks().get(0).arch(), cfg.train().resolvedThreads(), cfg.data().name());
        if (pytorch != null) {
            String line = pytorch.peakRssLine(cfg, "--memory", mode, "--batch", "" + batch, "--steps", "" + steps,
                    "--warmup", "" + warmup);
            out.println(line);
            double theirs = Double.parseDouble(line.split("=")[1].split(" ")[0]);
            out.printf(Locale.ROOT, "peak RSS distill4j / pytorch: %.2f%n", mine / theirs);
        }
    }

    private static int managedArrays(Run run) {
        int n = run.manager().getManagedArrays().size();
        for (var net : run.optimized()) {
            n += net.manager().getManagedArrays().size();
        }
        return n;
    }

    private static long statusKb(String key) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith(key)) {
                return Long.parseLong(l.replaceAll("\\D", ""));
            }
        }
        return 0;
    }

    private static long rssKb() throws IOException {
        return statusKb("VmRSS:");
    }
}
