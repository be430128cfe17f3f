package io.distill4j.config;

import io.distill4j.UserError;

import java.util.List;

/**
 * {@code train:} the length and shape of training.
 *
 * @param epochs         passes over the training set
 * @param batchSize      training mini-batch size
 * @param evalBatchSize  evaluation batch size (modest: every batch is its own native-memory scope)
 * @param evalEvery      evaluate every this many epochs (and always after the last)
 * @param logEvery       write a training line to metrics.jsonl every this many steps
 * @param threads        intra-op threads (0 = the launcher's DISTILL4J_THREADS, else all cores)
 * @param checkpoint     write checkpoints (last and best) every evaluated epoch
 * @param onNan          a non-finite loss: {@code stop} (default: one line naming step, network, term and the
 *                       likely keys; the last good checkpoint stays) or {@code skip_batch} (no update for that
 *                       batch, counted in summary.json, stopping past {@code maxSkipped})
 * @param maxSkipped     the most batches {@code skip_batch} may skip in a run
 * @param bnRecalibration re-estimate BatchNorm statistics on this many training batches before each
 *                     evaluation (0 = never; for methods that train sub-networks)
 * @param trainFit       at each evaluation also score the training split as trained on (subset, label noise)
 *                       but unaugmented, so the generalisation gap shows in metrics.jsonl and summary.json
 * @param teacherOutputs a file of the teachers' logits for every step (KD, MEAL V2): built on first use from the
 *                       teachers, then read instead of running them (null: the teachers run at every step)
 * @param teacherOutputsTopK 0: the store holds every logit (exact); k: the k largest and one fill logit that
 *                       keeps the rest's probability mass at the method's temperature (compact, lossy)
 * @param channelsLast   activations laid out channels-last in memory (NHWC; shapes stay NCHW): oneDNN's
 *                       convolutions then read and write them without reordering (BENCHMARKS.md: about a fifth
 *                       faster per step on CPU). The same arithmetic up to rounding; false reproduces runs made
 *                       before this option existed bit for bit
 * @param tensorboard    also write metrics.jsonl's scalars as TensorBoard event files under OUT/tensorboard/
 * @param device         where the run computes: {@code cpu}, {@code gpu} (the first), {@code gpu:N}, or {@code auto}
 *                       (the first GPU the engine sees, else the CPU); every network whose {@code device} is
 *                       {@code default}, every teacher, the batches, evaluation and the method's arrays live there.
 *                       Not part of a run's identity: a run may resume on another device
 */
public record TrainConfig(int epochs, int batchSize, int evalBatchSize, int evalEvery, int logEvery, int threads,
                          boolean checkpoint, String onNan, int maxSkipped, int bnRecalibration, boolean trainFit,
                          String teacherOutputs, int teacherOutputsTopK, boolean channelsLast,
                          boolean tensorboard, String device) {
    static TrainConfig from(ConfigNode n) {
        return new TrainConfig(
                (int) n.integer("epochs", 10, 1, 100_000),
                (int) n.integer("batch_size", 128, 1, 1 << 16),
                (int) n.integer("eval_batch_size", 256, 1, 1 << 16),
                (int) n.integer("eval_every", 1, 1, 100_000),
                (int) n.integer("log_every", 50, 1, 1 << 30),
                (int) n.integer("threads", 0, 0, 4096),
                n.bool("checkpoint", true),
                n.choice("on_nan", "stop", List.of("stop", "skip_batch")),
                (int) n.integer("max_skipped", 10, 0, 1 << 30),
                (int) n.integer("bn_recalibration", 0, 0, 1 << 20),
                n.bool("train_fit", false),
                n.string("teacher_outputs", null),
                (int) n.integer("teacher_outputs_top_k", 0, 0, Short.MAX_VALUE),
                n.bool("channels_last", true),
                n.bool("tensorboard", false),
                device(n));
    }

    private static String device(ConfigNode n) {
        String d = n.string("device", "cpu");
        if (!isDevice(d)) {
            throw n.error("device", "'" + d + "' is not cpu, gpu, gpu:N or auto");
        }
        return d;
    }

    /** Whether {@code d} names a device: {@code cpu}, {@code gpu}, {@code gpu:N} or {@code auto}. */
    static boolean isDevice(String d) {
        return d.matches("cpu|gpu(:\\d+)?|auto");
    }

    /**
     * Intra-op threads for this run: {@code threads} if set, else the launcher's
     * {@code -Dai.djl.pytorch.num_threads} (DISTILL4J_THREADS), else all cores. Runs side by side must each get
     * their share: OpenMP's spinning threads make oversubscribed cores ten times slower (measured).
     */
    public int resolvedThreads() {
        if (threads > 0) {
            return threads;
        }
        int t = Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
        if (t < 1) {
            throw new UserError("-Dai.djl.pytorch.num_threads=" + t + " (DISTILL4J_THREADS) is not a "
                    + "thread count: give an integer from 1 up, or set train.threads in the config");
        }
        return t;
    }
}
