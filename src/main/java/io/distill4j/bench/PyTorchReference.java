package io.distill4j.bench;

import io.distill4j.UserError;
import io.distill4j.config.RunConfig;
import io.distill4j.run.DataContract;
import io.distill4j.runtime.Machine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTorch on the same plain CIFAR ResNet as a config's first network ({@code tools/bench_pytorch.py}: its depth,
 * input shape, classes and threads), in its own process: by default with the system's memory allocator and its
 * default layout, as a user's script runs; optionally with the launcher's allocator ({@code LD_PRELOAD}) or in
 * {@code torch.channels_last}.
 */
public record PyTorchReference(boolean sameAllocator, boolean channelsLast) {
    /** How PyTorch ran, as the bench's summary line says it. */
    public String describe() {
        return "pytorch " + (sameAllocator ? Machine.currentAllocator() : "system (glibc)")
                + (channelsLast ? ", channels-last" : "");
    }

    /** PyTorch's training images/s; its per-step phases (ms) go into {@code phases} under {@code pytorch}. */
    public double imagesPerSec(RunConfig cfg, int steps, int warmup, Map<String, Map<String, Double>> phases)
            throws IOException {
        String result = null;
        for (String line : run(cfg, "--batch", "" + cfg.train().batchSize(), "--steps", "" + steps,
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

    /** The script's {@code pytorch peak_rss_mib=...} line for {@code args} ({@code --memory MODE ...}). */
    public String peakRssLine(RunConfig cfg, String... args) throws IOException {
        for (String line : run(cfg, args)) {
            if (line.startsWith("pytorch peak_rss_mib=")) {
                return line;
            }
        }
        throw new UserError("bench --pytorch: tools/bench_pytorch.py printed no peak_rss_mib");
    }

    /** Runs tools/bench_pytorch.py on the config's ResNet (its depth, input shape, classes, threads) and returns its lines. */
    private List<String> run(RunConfig cfg, String... args) throws IOException {
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
        if (channelsLast) {
            cmd.add("--channels-last");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (!sameAllocator) { // PyTorch as a user runs it: the system allocator, not the launcher's preload
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
