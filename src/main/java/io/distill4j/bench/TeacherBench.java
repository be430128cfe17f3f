package io.distill4j.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.UserError;
import io.distill4j.foreign.ForeignModel;
import io.distill4j.foreign.ModelFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench --teacher FILE.pt}: a teacher's forward throughput as distill4j runs it, against PyTorch's own
 * evaluation of the same TorchScript file ({@code tools/bench_teacher.py}: {@code torch.jit.load},
 * {@code inference_mode}), at the same batch size and threads, in alternating rounds; the ONNX file of the same
 * stem beside it, when there is one, in ONNX Runtime too. Inputs are random batches of the card's input shape.
 */
public final class TeacherBench {
    private TeacherBench() {}

    /** Prints each runtime's median images/s per batch size and its ratio to PyTorch's; returns 0. */
    public static int run(Path file, List<Integer> batches, int rounds, int warmup, double seconds, PrintStream out)
            throws IOException {
        if (ModelFiles.kind(file) != ModelFiles.Kind.TORCHSCRIPT) {
            throw new UserError("bench --teacher: " + file + " is not a TorchScript file (.pt); give the .pt, and an "
                    + ".onnx of the same name beside it is timed too");
        }
        Path card = ModelFiles.cardOf(file);
        ModelFiles.CardContract c = card == null ? null : ModelFiles.readCard(card);
        int ch = c != null && c.channels() != null ? c.channels() : 1;
        int h = c != null && c.height() != null ? c.height() : 28;
        int w = c != null && c.width() != null ? c.width() : 28;
        String stem = file.getFileName().toString().replaceAll("\\.[^.]+$", "");
        Path onnx = file.resolveSibling(stem + ".onnx");
        int threads = ModelFiles.threads();
        List<ForeignModel> models = new ArrayList<>();
        models.add(ModelFiles.open(file, threads, Device.cpu()));
        if (Files.isRegularFile(onnx)) {
            models.add(ModelFiles.open(onnx, threads, Device.cpu()));
        }
        out.printf(Locale.ROOT, "teacher %s, input %dx%dx%d, %d threads, %d rounds of %.1f s%n", file, ch, h, w,
                threads, rounds, seconds);
        try {
            for (int batch : batches) {
                Map<String, List<Double>> all = new LinkedHashMap<>();
                for (int r = 0; r < rounds; r++) {
                    for (ForeignModel m : models) {
                        double ips = time(m, batch, ch, h, w, warmup, seconds);
                        all.computeIfAbsent("distill4j-" + m.runtime(), k -> new ArrayList<>()).add(ips);
                    }
                    all.computeIfAbsent("pytorch", k -> new ArrayList<>())
                            .add(pytorch(file, batch, ch, h, w, threads, warmup, seconds));
                }
                double ref = Median.of(all.get("pytorch"));
                for (var e : all.entrySet()) {
                    double med = Median.of(e.getValue());
                    out.printf(Locale.ROOT, "batch %4d  %-24s %10.1f images/s (median of %d)   relative to "
                            + "pytorch %.3f%n", batch, e.getKey(), med, e.getValue().size(), med / ref);
                }
            }
        } finally {
            models.forEach(ForeignModel::close);
        }
        return 0;
    }

    private static double time(ForeignModel m, int batch, int ch, int h, int w, int warmup, double seconds) {
        try (NDManager nm = NDManager.newBaseManager()) {
            NDArray x = nm.randomUniform(0, 1, new Shape(batch, ch, h, w));
            for (int i = 0; i < warmup; i++) {
                try (NDManager s = nm.newSubManager()) {
                    m.forward(x).attach(s);
                }
            }
            long n = 0;
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < seconds * 1e9) {
                try (NDManager s = nm.newSubManager()) {
                    m.forward(x).attach(s);
                }
                n++;
            }
            return n * batch / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static double pytorch(Path file, int batch, int ch, int h, int w, int threads, int warmup, double seconds)
            throws IOException {
        Path script = Path.of("tools", "bench_teacher.py");
        if (!Files.exists(script)) {
            throw new UserError(script + ": not found (run bench --teacher from the project folder)");
        }
        List<String> cmd = List.of("/usr/bin/python3", script.toString(), file.toString(), "--shape", "" + ch, "" + h,
                "" + w, "--batch", "" + batch, "--threads", "" + threads, "--warmup", "" + warmup, "--seconds",
                "" + seconds);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("LD_PRELOAD"); // PyTorch as a user runs it: the system's allocator
        Process p = pb.start();
        String result = null;
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
                if (line.startsWith("pytorch images_per_sec=")) {
                    result = line.split("=")[1].split(" ")[0];
                }
            }
        }
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (result == null) {
            throw new UserError("bench --teacher: tools/bench_teacher.py printed no images_per_sec (apt-get install "
                    + "python3-torch): " + String.join(" | ", lines));
        }
        return Double.parseDouble(result);
    }
}
