package io.distill4j.cli;

import ai.djl.pytorch.jni.JniUtils;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.config.RunConfig;
import io.distill4j.loop.Evaluator;
import io.distill4j.loop.Stepper;
import io.distill4j.methods.mkf.KnowledgeFraction;
import io.distill4j.run.DataContract;
import io.distill4j.run.Run;
import io.distill4j.runtime.Machine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Training throughput as ratios measured in one run: each method of the list on the config's networks and
 * data (the first is the reference), and optionally PyTorch on the same ResNet ({@code tools/bench_pytorch.py}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training images/s of methods on a config, and optionally of PyTorch on the same ResNet.")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, paramLabel = "CONFIG", description = "the config (all modes but --inference)")
    Path config;

    @Option(names = "--methods", split = ",", paramLabel = "NAME", description = "methods to time (default: the config's)")
    List<String> methods = new ArrayList<>();

    @Option(names = "--steps", defaultValue = "60", description = "timed steps per method (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--warmup", defaultValue = "15", description = "untimed steps first (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--rounds", defaultValue = "3", description = "alternating rounds, the median reported (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--pytorch", description = "also time PyTorch (python3 with torch) on the same CIFAR ResNet")
    boolean pytorch;

    @Option(names = "--profile", paramLabel = "DIR", description = "also record libtorch's profiler over one more "
            + "round of the timed steps per method, as Chrome traces DIR/METHOD.json (tools/trace_summary.py sums "
            + "them by operator)")
    Path profile;

    @Option(names = "--pytorch-same-allocator", description = "give PyTorch the launcher's memory allocator too "
            + "(LD_PRELOAD; by default PyTorch runs with the system's, as python3 does)")
    boolean pytorchSameAllocator;

    @Option(names = "--pytorch-channels-last", description = "run PyTorch's network and inputs in torch.channels_last "
            + "too (by default PyTorch runs as a user's script would, in its default layout)")
    boolean pytorchChannelsLast;

    @Option(names = "--set", paramLabel = "KEY=VALUE")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--soak", paramLabel = "STEPS", description = "instead: train the config's method for STEPS steps "
            + "(evaluating every epoch) and print resident memory at intervals, to show it stays flat")
    Long soak;

    @Option(names = "--memory", paramLabel = "MODE", description = "instead: this process's peak resident memory "
            + "after --warmup + --steps training steps (train) or evaluation batches of the test split (eval, at "
            + "train.eval_batch_size); with --pytorch, PyTorch's for the same network and batch, in its own process")
    String memory;

    @Option(names = "--fraction", paramLabel = "CLASSES", description = "instead: time MKF's knowledge-fraction "
            + "solvers (none, linear, exact) on batches of 64 mixed outputs over CLASSES classes")
    Integer fraction;

    @Option(names = "--inference", paramLabel = "CHECKPOINT_OR_RUN", description = "instead: inference images/s of "
            + "a trained network in distill4j, exported to ONNX in ONNX Runtime and exported to DJL, ratios to "
            + "distill4j's own (no config needed)")
    Path inference;

    @Option(names = "--teacher", paramLabel = "FILE.pt", description = "instead: a TorchScript teacher's forward "
            + "images/s (and the .onnx of the same name beside it in ONNX Runtime) against PyTorch's own evaluation of "
            + "the file (tools/bench_teacher.py), at --batch-sizes and the same threads")
    Path teacher;

    @Option(names = "--network", paramLabel = "NAME", description = "--inference: which network (default: the first)")
    String network;

    @Option(names = "--batch-sizes", split = ",", defaultValue = "1,64", paramLabel = "N",
            description = "--inference: batch sizes (default ${DEFAULT-VALUE})")
    List<Integer> batchSizes = new ArrayList<>();

    @Option(names = "--seconds", defaultValue = "2", paramLabel = "S",
            description = "--inference: timed seconds per runtime, batch size and round (default ${DEFAULT-VALUE})")
    double seconds;

    @Override
    public Integer call() throws IOException {
        if (inference != null) {
            return InferenceBench.run(inference, network, batchSizes, rounds, warmup, seconds);
        }
        if (teacher != null) {
            return TeacherBench.run(teacher, batchSizes, rounds, Math.min(warmup, 5), seconds);
        }
        if (config == null) {
            throw new UserError("-c CONFIG is required (except with --inference)");
        }
        if (soak != null) {
            return soak();
        }
        if (fraction != null) {
            return fraction();
        }
        if (memory != null) {
            return memory();
        }
        RunConfig base = ConfigLoader.load(config, overrides);
        if (methods.isEmpty()) {
            methods.add(base.methodName());
        }
        Map<String, List<Double>> all = new LinkedHashMap<>();
        Map<String, Map<String, Double>> phases = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (String method : methods) {
                List<String> o = new ArrayList<>(overrides);
                o.add("method.name=" + method);
                if (List.of("dml", "okdcr").contains(method) && base.networks().size() == 1) {
                    // an online method on a one-network config: a second peer of the same architecture
                    o.add("networks.bench_peer2.arch=" + base.networks().get(0).arch());
                }
                RunConfig cfg = ConfigLoader.load(config, o);
                try (Run run = Run.build(cfg)) {
                    Stepper d = new Stepper(run);
                    for (int i = 0; i < warmup; i++) {
                        d.step();
                    }
                    d.times().reset();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < steps; i++) {
                        d.step();
                    }
                    double ips = (double) steps * cfg.train().batchSize() / ((System.nanoTime() - t0) / 1e9);
                    all.computeIfAbsent(method, k -> new ArrayList<>()).add(ips);
                    if (profile != null && r == rounds - 1) { // apart from the timed steps: profiling slows them
                        Files.createDirectories(profile);
                        JniUtils.startProfile(false, false, false);
                        for (int i = 0; i < steps; i++) {
                            d.step();
                        }
                        JniUtils.stopProfile(profile.resolve(method + ".json").toString());
                    }
                    phases.put(method, d.times().perStepMillis());
                    System.out.printf(Locale.ROOT, "round %d  %-10s %8.1f images/s%n", r + 1, method, ips);
                }
            }
            if (pytorch) {
                double ips = pytorch(base, phases);
                all.computeIfAbsent("pytorch", k -> new ArrayList<>()).add(ips);
                System.out.printf(Locale.ROOT, "round %d  %-10s %8.1f images/s%n", r + 1, "pytorch", ips);
            }
        }
        Map<String, Double> median = new LinkedHashMap<>();
        all.forEach((k, v) -> median.put(k, median(v)));
        String ref = methods.get(0);
        System.out.printf(Locale.ROOT, "%nmedian of %d alternating rounds, %d steps after %d warm-up, batch %d, network %s, "
                        + "%d threads; allocator: distill4j %s%s%s:%n", rounds, steps, warmup, base.train().batchSize(),
                base.networks().get(0).arch(), base.train().resolvedThreads(), Machine.currentAllocator(),
                base.train().channelsLast() ? ", channels-last" : ", default layout",
                pytorch ? ", pytorch " + (pytorchSameAllocator ? Machine.currentAllocator() : "system (glibc)")
                        + (pytorchChannelsLast ? ", channels-last" : "") : "");
        for (var e : median.entrySet()) {
            System.out.printf(Locale.ROOT, "%-10s %8.1f images/s   cost per image relative to %s %.2f%s%n", e.getKey(),
                    e.getValue(), ref, median.get(ref) / e.getValue(),
                    median.containsKey("pytorch") && !e.getKey().equals("pytorch")
                            ? String.format(Locale.ROOT, "   speed relative to pytorch %.3f", e.getValue() / median.get("pytorch"))
                            : "");
        }
        System.out.printf(Locale.ROOT, "%nwhere a step's time goes (ms per step, last round):%n%-10s", "");
        List<String> names = List.of("data", "forward+loss", "backward", "optimizer", "other");
        names.forEach(n -> System.out.printf(Locale.ROOT, " %13s", n));
        System.out.println();
        for (var e : phases.entrySet()) {
            System.out.printf(Locale.ROOT, "%-10s", e.getKey());
            names.forEach(n -> System.out.printf(Locale.ROOT, " %13s", e.getValue().containsKey(n)
                    ? String.format(Locale.ROOT, "%.2f", e.getValue().get(n)) : "-"));
            System.out.println();
        }
        return 0;
    }

    /**
     * A long run in one process: steps through epochs (with the evaluation the trainer would run) and prints
     * RSS, the Java heap in use and the arrays of the run's long-lived managers every 5% of the steps; the
     * growth is reported from 10% of the steps (after warm-up) to the end.
     */
    private int soak() throws IOException {
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
            System.out.printf(Locale.ROOT, "%8s %10s %10s %8s %10s%n", "step", "rss_mib", "heap_mib", "arrays", "img/s");
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
                    System.out.printf(Locale.ROOT, "%8d %10.1f %10.1f %8d %10.1f%n", i, rssKb() / 1024.0,
                            (rt.totalMemory() - rt.freeMemory()) / 1048576.0, managedArrays(run),
                            i * cfg.train().batchSize() / secs);
                }
            }
            System.out.printf(Locale.ROOT, "%nRSS from step %d to %d: %+.1f MiB (%s, batch %d, %s)%n", start, soak,
                    (rssKb() - rss0) / 1024.0, cfg.networks().get(0).arch(), cfg.train().batchSize(), cfg.methodName());
        }
        return 0;
    }

    /**
     * The solvers' time per batch of 64 random mixed outputs (Dirichlet(1) knowledge, lambda ~ Beta(1, 1)),
     * modes alternating over rounds, best round kept; the ratio to {@code linear} is the number to read.
     */
    private int fraction() {
        int classes = fraction;
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
                System.out.printf(Locale.ROOT, "round %d  %-7s %10.1f us per batch of %d%n", r, mode.configName(),
                        usPerBatch, n);
            }
        }
        System.out.printf(Locale.ROOT, "%nbest of %d rounds, %d classes, batch %d:%n", rounds, classes, n);
        best.forEach((k, v) -> System.out.printf(Locale.ROOT, "%-7s %10.1f us per batch   ratio to linear %.3f%n", k,
                v, v / best.get("linear")));
        return 0;
    }

    private static int managedArrays(Run run) {
        int n = run.manager().getManagedArrays().size();
        for (var net : run.optimized()) {
            n += net.manager().getManagedArrays().size();
        }
        return n;
    }

    /**
     * Peak resident memory (VmHWM) of training or evaluation in this process, and PyTorch's in its own process for
     * the same network and batch. Measured from a fresh process: run one mode per invocation.
     */
    private int memory() throws IOException {
        if (!memory.equals("train") && !memory.equals("eval")) {
            throw new UserError("--memory: '" + memory + "' is not train or eval");
        }
        RunConfig cfg = ConfigLoader.load(config, overrides);
        int batch;
        try (Run run = Run.build(cfg)) {
            if (memory.equals("train")) {
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
        System.out.printf(Locale.ROOT, "distill4j peak_rss_mib=%.1f mode=%s batch=%d steps=%d network=%s threads=%d "
                        + "(the JVM, the dataset's splits in memory: %s)%n", mine, memory, batch, warmup + steps,
                cfg.networks().get(0).arch(), cfg.train().resolvedThreads(), cfg.data().name());
        if (pytorch) {
            String line = pytorchLine(cfg, "--memory", memory, "--batch", "" + batch, "--steps", "" + steps,
                    "--warmup", "" + warmup);
            System.out.println(line);
            double theirs = Double.parseDouble(line.split("=")[1].split(" ")[0]);
            System.out.printf(Locale.ROOT, "peak RSS distill4j / pytorch: %.2f%n", mine / theirs);
        }
        return 0;
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

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private double pytorch(RunConfig cfg, Map<String, Map<String, Double>> phases) throws IOException {
        String result = null;
        for (String line : runPytorch(cfg, "--batch", "" + cfg.train().batchSize(), "--steps", "" + steps,
                "--warmup", "" + warmup)) {
            if (line.startsWith("pytorch images_per_sec=")) {
                result = line.split("=")[1].split(" ")[0];
            }
            if (line.startsWith("pytorch phases_ms ")) { // forward+loss=x backward=y optimizer=z
                Map<String, Double> m = new LinkedHashMap<>();
                for (String kv : line.substring("pytorch phases_ms ".length()).trim().split(" ")) {
                    String[] kvs = kv.split("=");
                    m.put(kvs[0], Double.parseDouble(kvs[1]));
                }
                phases.put("pytorch", m);
            }
        }
        if (result == null) {
            throw new UserError("bench --pytorch: tools/bench_pytorch.py printed no images_per_sec");
        }
        return Double.parseDouble(result);
    }

    private String pytorchLine(RunConfig cfg, String... args) throws IOException {
        for (String line : runPytorch(cfg, args)) {
            if (line.startsWith("pytorch peak_rss_mib=")) {
                return line;
            }
        }
        throw new UserError("bench --pytorch: tools/bench_pytorch.py printed no peak_rss_mib");
    }

    /** Runs tools/bench_pytorch.py on the config's ResNet (its depth, input shape, classes, threads) and returns its lines. */
    private List<String> runPytorch(RunConfig cfg, String... args) throws IOException {
        String arch = cfg.networks().get(0).arch();
        if (!arch.matches("resnet\\d+")) {
            throw new UserError("bench --pytorch: the reference script builds plain CIFAR ResNets; " + arch + " is not one");
        }
        DataContract data = DataContract.of(cfg); // the data alone: no networks or teachers built
        int channels = data.channels();
        int size = data.height();
        int classes = data.classes();
        Path script = Path.of("tools", "bench_pytorch.py");
        if (!Files.exists(script)) {
            throw new UserError(script + ": not found (run bench --pytorch from the project folder)");
        }
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", script.toString(), "--depth", arch.substring(6),
                "--channels", "" + channels, "--size", "" + size, "--classes", "" + classes,
                "--threads", "" + cfg.train().resolvedThreads()));
        cmd.addAll(List.of(args));
        if (pytorchChannelsLast) {
            cmd.add("--channels-last");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (!pytorchSameAllocator) { // PyTorch as a user runs it: the system allocator, not the launcher's preload
            pb.environment().remove("LD_PRELOAD");
        }
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
            }
        }
        try {
            if (p.waitFor() != 0) {
                throw new UserError("bench --pytorch: /usr/bin/python3 " + script + " failed (apt-get install "
                        + "python3-torch): " + String.join(" ", lines).trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("bench --pytorch: interrupted");
        }
        return lines;
    }
}
