package io.distill4j.knowledge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.distill4j.UserError;
import io.distill4j.runtime.Net;

import java.util.List;
import java.util.Map;

/**
 * A frozen teacher: logits for the student's batch, in inference mode and outside the gradient tape. A distill4j
 * network ({@link NetTeacher}) or a model from elsewhere ({@link ForeignTeacher}: TorchScript, ONNX, an export).
 */
public interface Teacher extends AutoCloseable {
    /** Its name under {@code teachers:}. */
    String name();

    /** Logits (N, classes) in the dataset's class order for the student's batch {@code x} (the student's view). */
    NDArray logits(NDArray x);

    /**
     * Logits, pooled features and the named feature maps for {@code x}: {@code NDList(logits, features, maps of
     * stages...)}, for feature methods. A teacher whose model gives only logits refuses, in one line.
     */
    default NDList features(NDArray x, List<String> stages) {
        throw noFeatures(this);
    }

    /** The one line that refuses a feature method a teacher without features. */
    static UserError noFeatures(Teacher t) {
        return new UserError("teachers." + t.name() + ": this teacher has no features: its model (" + t.describe()
                + ") outputs logits only, and a feature method needs the teacher's feature maps; give a distill4j "
                + "teacher (checkpoint: with arch:, or model: a distill4j run folder or .ckpt), or a model that also "
                + "returns its feature maps, named by the outputs: list of its card ([logits, features, stage...])");
    }

    /** The names of the feature maps {@link #features} gives (empty when it gives none). */
    default Map<String, String> stageNames() {
        return Map.of();
    }

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
