package io.distill4j.foreign;

import java.util.Arrays;
import java.util.List;

/**
 * What a model takes and gives: float32 {@code (N, channels, height, width)} pixels scaled to [0, 1], normalised
 * {@code (x - mean) / std} per channel either by the model itself ({@code normalizedInside}, as distill4j's
 * exports) or by its caller (as most PyTorch models), and logits {@code (N, classes)} in the order of
 * {@code classNames} (null when the model does not name its classes).
 */
public record ModelContract(int channels, int height, int width, float[] mean, float[] std, boolean normalizedInside,
                            List<String> classNames) {
    public ModelContract {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("a model takes 1 (gray) or 3 (RGB) channels, not " + channels);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("input size " + height + "x" + width);
        }
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("normalisation of " + mean.length + "/" + std.length
                    + " channels for a " + channels + "-channel input");
        }
        classNames = classNames == null ? null : List.copyOf(classNames);
    }

    /** The same contract with other class names (null: unnamed). */
    public ModelContract withClassNames(List<String> names) {
        return new ModelContract(channels, height, width, mean, std, normalizedInside, names);
    }

    /** One line for logs and fingerprints. */
    public String describe() {
        return channels + "x" + height + "x" + width + ", mean " + Arrays.toString(mean) + ", std "
                + Arrays.toString(std) + (normalizedInside ? " (applied inside the model)" : " (applied by the caller)")
                + ", classes " + (classNames == null ? "unnamed" : classNames);
    }
}
