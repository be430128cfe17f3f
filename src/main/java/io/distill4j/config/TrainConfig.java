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
 * @param teacherViews   a file of the teachers' logits over every view of every training image (pad-crop and flip,
 *                       enumerated): built on first use, then read by any run of these teachers, images and views,
 *                       whatever its seed (null: none)
 * @param teacherViewsK  for streamed images with random-resized crops: the crops (and flips) sampled and stored
 *                       an image, among which training then draws (0: enumerated views only)
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
                          String teacherOutputs, int teacherOutputsTopK, String teacherViews, int teacherViewsK,
                          boolean channelsLast,
                          boolean tensorboard, String device) {
    /** The keys of {@code train:}. */
    public static final Section SECTION = Section.of("train", "the length and shape of training",
            Key.integer("epochs", "10", 1, 100_000, "passes over the training set"),
            Key.integer("batch_size", "128", 1, 1 << 16, "training mini-batch size"),
            Key.integer("eval_batch_size", "256", 1, 1 << 16, "evaluation batch size"),
            Key.integer("eval_every", "1", 1, 100_000, "evaluate every this many epochs (and after the last)"),
            Key.integer("log_every", "50", 1, 1 << 30, "a training line in metrics.jsonl every this many steps"),
            Key.integer("threads", "0", 0, 4096, "intra-op threads (0: the launcher's DISTILL4J_THREADS, else all "
                    + "cores)"),
            Key.bool("checkpoint", "true", "write checkpoints (last and best) every evaluated epoch"),
            Key.choice("on_nan", "stop", List.of("stop", "skip_batch"), "a non-finite loss: stop with one line, or "
                    + "skip the batch's update (counted, stopping past max_skipped)"),
            Key.integer("max_skipped", "10", 0, 1 << 30, "the most batches skip_batch may skip in a run"),
            Key.integer("bn_recalibration", "0", 0, 1 << 20, "re-estimate BatchNorm statistics on this many unmixed "
                    + "training batches before each evaluation (0: never)"),
            Key.bool("train_fit", "false", "at each evaluation also score the training split, unaugmented"),
            Key.text("teacher_outputs", "none", "a file of the teachers' logits for every step, built before the "
                    + "first step and read instead of running the teachers"),
            Key.integer("teacher_outputs_top_k", "0", 0, Short.MAX_VALUE, "0: the store holds every logit; k: the k "
                    + "largest and one fill logit (compact, lossy)"),
            Key.text("teacher_views", "none", "a file of the teachers' logits over every pad-crop and flip view of "
                    + "every training image, built on first use and read by any run of these teachers and images, "
                    + "whatever its seed (float16; any logit method)"),
            Key.integer("teacher_views_k", "0", 0, 4096, "streamed images with random-resized crops: K crops and "
                    + "flips sampled an image and stored; training draws one of them (0: pad-crop and flip views, "
                    + "enumerated)"),
            Key.bool("channels_last", "true", "activations laid out channels-last (NHWC) in memory; false reproduces "
                    + "runs made before the option bit for bit"),
            Key.bool("tensorboard", "false", "also write the scalars as TensorBoard event files"),
            Key.text("device", "cpu", "cpu, gpu, gpu:N or auto (the first GPU, else the CPU); not part of a run's "
                    + "identity"));

    static TrainConfig from(ConfigNode n) {
        Section s = SECTION;
        return new TrainConfig(
                (int) s.key("epochs").readInteger(n),
                (int) s.key("batch_size").readInteger(n),
                (int) s.key("eval_batch_size").readInteger(n),
                (int) s.key("eval_every").readInteger(n),
                (int) s.key("log_every").readInteger(n),
                (int) s.key("threads").readInteger(n),
                s.key("checkpoint").readBool(n),
                s.key("on_nan").readChoice(n),
                (int) s.key("max_skipped").readInteger(n),
                (int) s.key("bn_recalibration").readInteger(n),
                s.key("train_fit").readBool(n),
                s.key("teacher_outputs").readText(n),
                (int) s.key("teacher_outputs_top_k").readInteger(n),
                s.key("teacher_views").readText(n),
                (int) s.key("teacher_views_k").readInteger(n),
                s.key("channels_last").readBool(n),
                s.key("tensorboard").readBool(n),
                device(n));
    }

    private static String device(ConfigNode n) {
        String d = SECTION.key("device").readText(n);
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
