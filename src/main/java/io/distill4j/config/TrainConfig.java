package io.distill4j.config;

/**
 * {@code train:} the length and shape of training.
 *
 * @param epochs         passes over the training set
 * @param batchSize      training mini-batch size
 * @param evalBatchSize  evaluation batch size (modest: every batch is its own native-memory scope)
 * @param evalEvery      evaluate every this many epochs (and always after the last)
 * @param logEvery       write a training line to metrics.jsonl every this many steps
 * @param threads        intra-op threads (0 = all cores)
 * @param checkpoint     write checkpoints (last and best) every evaluated epoch
 */
public record TrainConfig(int epochs, int batchSize, int evalBatchSize, int evalEvery, int logEvery, int threads,
                          boolean checkpoint) {
    static TrainConfig from(ConfigNode n) {
        return new TrainConfig(
                (int) n.integer("epochs", 10, 1, 100_000),
                (int) n.integer("batch_size", 128, 1, 1 << 16),
                (int) n.integer("eval_batch_size", 256, 1, 1 << 16),
                (int) n.integer("eval_every", 1, 1, 100_000),
                (int) n.integer("log_every", 50, 1, 1 << 30),
                (int) n.integer("threads", 0, 0, 4096),
                n.bool("checkpoint", true));
    }
}
