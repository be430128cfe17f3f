package io.distill4j.inference;

/** What runs a model: a batch of (N, C, H, W) pixels in [0, 1] in, (N, classes) logits out. */
interface Runner extends AutoCloseable {
    float[] logits(float[] pixels, int n);

    /** The runtime, as reports name it: {@code distill4j}, {@code onnxruntime} or {@code djl}. */
    String name();

    @Override
    void close();
}
