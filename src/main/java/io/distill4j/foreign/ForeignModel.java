package io.distill4j.foreign;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import java.nio.file.Path;

/**
 * A frozen classifier from a file that distill4j did not build: a TorchScript file (DJL's PyTorch engine), an ONNX
 * file (ONNX Runtime), or a distill4j export. It runs in inference mode, records no gradient, and is closed by its
 * owner.
 */
public interface ForeignModel extends AutoCloseable {
    /**
     * Logits {@code (N, outputs)} for {@code x}, pixels in the model's own input form ({@code (N, C, H, W)}, already
     * normalised when the model expects its caller to): the result lives in {@code x}'s manager.
     */
    NDArray forward(NDArray x);

    /**
     * Every output of the model for {@code x}, in the model's order (a model that returns a tuple: logits first,
     * then what its card's {@code outputs} names, e.g. pooled features and feature maps).
     */
    NDList forwardAll(NDArray x);

    /** The file it was loaded from. */
    Path file();

    /** What runs it, as reports name it: {@code torchscript}, {@code onnxruntime} or {@code djl}. */
    String runtime();

    @Override
    void close();
}
