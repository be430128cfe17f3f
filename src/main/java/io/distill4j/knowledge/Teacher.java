package io.distill4j.knowledge;

import ai.djl.ndarray.NDArray;
import io.distill4j.runtime.Net;

/**
 * A frozen teacher: logits for the student's batch, in inference mode and outside the gradient tape. A distill4j
 * network ({@link NetTeacher}) or a model from elsewhere ({@link ForeignTeacher}: TorchScript, ONNX, an export).
 */
public interface Teacher extends AutoCloseable {
    /** Its name under {@code teachers:}. */
    String name();

    /** Logits (N, classes) in the dataset's class order for the student's batch {@code x} (the student's view). */
    NDArray logits(NDArray x);

    /** The distill4j network behind it (its features, its layout), or null for a model from elsewhere. */
    Net net();

    /** One line: what it is and where it came from. */
    String describe();

    /** Counting of the images it forwards, for the run's cost (on during training steps). */
    void countForwards(boolean on);

    long imagesForwarded();

    @Override
    void close();
}
