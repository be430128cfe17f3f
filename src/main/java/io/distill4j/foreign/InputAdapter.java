package io.distill4j.foreign;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.distill4j.util.HostArrays;

import java.util.Arrays;

/**
 * Turns a batch as the student sees it (its augmented view, normalised with the run's mean and std) into the
 * input of a model with another contract, on the native side: back to [0, 1] pixels, gray to colour (the plane
 * repeated) or colour to gray ({@code 0.299 R + 0.587 G + 0.114 B}), resized (bilinear with antialiasing when
 * shrinking, half-pixel centres: libtorch's {@code interpolate(mode="bilinear", align_corners=False,
 * antialias=True)}, the filter PIL resizes with), and normalised with the model's own mean and std unless the
 * model does that itself. So every model sees the student's own view of each image.
 */
public final class InputAdapter {
    /** libtorch's interpolation mode for bilinear (DJL's binding applies it with antialiasing). */
    private static final int BILINEAR = 2;

    private final int channels;
    private final int height;
    private final int width;
    private final float[] mean;
    private final float[] std;
    private final ModelContract to;
    private final boolean identity;

    /** From batches of {@code channels x height x width} normalised with {@code mean} and {@code std}. */
    public InputAdapter(int channels, int height, int width, float[] mean, float[] std, ModelContract to) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.mean = mean.clone();
        this.std = std.clone();
        this.to = to;
        this.identity = channels == to.channels() && height == to.height() && width == to.width()
                && !to.normalizedInside() && Arrays.equals(mean, to.mean()) && Arrays.equals(std, to.std());
    }

    /** True when the student's batch is already the model's input. */
    public boolean isIdentity() { return identity; }

    /** The model's input for the student's batch {@code x} (N, C, H, W), in {@code x}'s manager. */
    public NDArray adapt(NDArray x) {
        if (identity) {
            return x;
        }
        NDManager m = x.getManager();
        NDArray p = x.mul(perChannel(m, std)).add(perChannel(m, mean)); // [0, 1] pixels
        if (channels == 1 && to.channels() == 3) {
            p = NDArrays.concat(new NDList(p, p, p), 1);
        } else if (channels == 3 && to.channels() == 1) {
            p = p.mul(HostArrays.floats(m, new float[] {0.299f, 0.587f, 0.114f}, new Shape(1, 3, 1, 1)))
                    .sum(new int[] {1}, true);
        }
        if (height != to.height() || width != to.width()) {
            p = JniUtils.interpolate((PtNDArray) p, new long[] {to.height(), to.width()}, BILINEAR, false);
        }
        if (!to.normalizedInside()) {
            p = p.sub(perChannel(m, to.mean())).div(perChannel(m, to.std()));
        }
        return p;
    }

    private static NDArray perChannel(NDManager m, float[] v) {
        return HostArrays.floats(m, v, new Shape(1, v.length, 1, 1));
    }
}
