package io.distill4j.cli;

import io.distill4j.UserError;
import io.distill4j.bench.FractionBench;
import io.distill4j.bench.InferenceBench;
import io.distill4j.bench.MemoryBench;
import io.distill4j.bench.MethodBench;
import io.distill4j.bench.PyTorchReference;
import io.distill4j.bench.TeacherBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code distill4j bench}: parses its options and runs one mode of {@code bench/}: training throughput of methods
 * ({@link MethodBench}, the default), memory ({@link MemoryBench}: {@code --soak}, {@code --memory}), MKF's
 * fraction solvers ({@link FractionBench}), inference ({@link InferenceBench}) or a teacher ({@link TeacherBench}).
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

    @Option(names = "--student", paramLabel = "FILE.pt", description = "also time each method with the config's "
            + "first network replaced by this TorchScript module (networks.NAME.model), in the same alternating rounds: "
            + "a scripted network's step against distill4j's own")
    Path student;

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
            return InferenceBench.run(inference, network, batchSizes, rounds, warmup, seconds, System.out);
        }
        if (teacher != null) {
            return TeacherBench.run(teacher, batchSizes, rounds, Math.min(warmup, 5), seconds, System.out);
        }
        if (config == null) {
            throw new UserError("-c CONFIG is required (except with --inference)");
        }
        PyTorchReference reference = pytorch ? new PyTorchReference(pytorchSameAllocator, pytorchChannelsLast) : null;
        if (soak != null) {
            MemoryBench.soak(config, overrides, soak, System.out);
        } else if (fraction != null) {
            FractionBench.run(fraction, rounds, steps, System.out);
        } else if (memory != null) {
            MemoryBench.peak(config, overrides, memory, warmup, steps, reference, System.out);
        } else {
            MethodBench.run(config, overrides, methods, student, steps, warmup, rounds, profile, reference,
                    System.out);
        }
        return 0;
    }
}
