package io.distill4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.util.HostArrays;

/**
 * A batch prepared on the Java side: one or more views (independent augmentations of the same samples,
 * each N*C*H*W normalised floats), the labels and the dataset index of every sample.
 */
public record HostBatch(float[][] views, int[] labels, int[] indices, int channels, int height, int width,
                        Mix mix) {
    /** A batch without mixing. */
    public HostBatch(float[][] views, int[] labels, int[] indices, int channels, int height, int width) {
        this(views, labels, indices, channels, height, width, null);
    }

    /** This batch with mixed views and the mix that made them. */
    public HostBatch withMix(float[][] mixedViews, Mix how) {
        return new HostBatch(mixedViews, labels, indices, channels, height, width, how);
    }

    /** The partners' labels of a mixed batch (null when not mixed). */
    public int[] partnerLabels() {
        return mix == null ? null : mix.partnerLabels();
    }

    /** The weight of each sample's own image and label: 1 when not mixed. */
    public float lambda() {
        return mix == null ? 1f : mix.lambda();
    }

    public int size() {
        return labels.length;
    }

    /** True when the batch was mixed (CutMix or Mixup, all views alike). */
    public boolean mixed() {
        return mix != null;
    }

    /**
     * The training targets as distributions (N * classes): one-hot labels, or for a mixed batch
     * {@code lambda * onehot(label) + (1 - lambda) * onehot(partner label)}.
     */
    public float[] targets(int classes) {
        float[] t = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            t[i * classes + labels[i]] += mixed() ? lambda() : 1f;
            if (mixed()) {
                t[i * classes + partnerLabels()[i]] += 1f - lambda();
            }
        }
        return t;
    }

    /** View {@code v} before Mixup or CutMix (the view itself when the batch is not mixed), in {@code m}. */
    public NDArray unmixedView(NDManager m, int v) {
        return mix == null ? view(m, v)
                : HostArrays.floats(m, mix.unmixedViews()[v], new Shape(labels.length, channels, height, width));
    }

    /** View {@code v} as a float32 (N, C, H, W) array in {@code m}. */
    public NDArray view(NDManager m, int v) {
        return HostArrays.floats(m, views[v], new Shape(labels.length, channels, height, width));
    }

    /** Labels as an int64 (N) array in {@code m}. */
    public NDArray labels(NDManager m) {
        long[] l = new long[labels.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = labels[i];
        }
        return HostArrays.longs(m, l);
    }
}
