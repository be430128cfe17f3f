package io.distill4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.util.HostArrays;

import java.util.Arrays;

/**
 * A batch prepared on the Java side: one or more views (independent augmentations of the same samples,
 * each N*C*H*W normalised floats), the labels and the dataset index of every sample, and, where the first view is
 * one of the augmenter's enumerable views (pad-crop and flip, nothing else), each sample's view code
 * ({@link Augmenter#viewCode}; null otherwise), which a store of the teacher's outputs over views reads.
 */
public record HostBatch(float[][] views, int[] labels, int[] indices, int channels, int height, int width,
                        Mix mix, int[] viewCodes) {
    /** A batch without mixing. */
    public HostBatch(float[][] views, int[] labels, int[] indices, int channels, int height, int width) {
        this(views, labels, indices, channels, height, width, null, null);
    }

    /** A batch without view codes. */
    public HostBatch(float[][] views, int[] labels, int[] indices, int channels, int height, int width, Mix mix) {
        this(views, labels, indices, channels, height, width, mix, null);
    }

    /** Two unmixed batches of the same image shape and views as one: {@code a}'s samples, then {@code b}'s. */
    public static HostBatch concat(HostBatch a, HostBatch b) {
        if (a.mixed() || b.mixed() || a.views.length != b.views.length || a.channels != b.channels
                || a.height != b.height || a.width != b.width) {
            throw new IllegalArgumentException("only unmixed batches of one image shape and view count are joined");
        }
        float[][] views = new float[a.views.length][];
        for (int v = 0; v < views.length; v++) {
            views[v] = Arrays.copyOf(a.views[v], a.views[v].length + b.views[v].length);
            System.arraycopy(b.views[v], 0, views[v], a.views[v].length, b.views[v].length);
        }
        return new HostBatch(views, join(a.labels, b.labels), join(a.indices, b.indices), a.channels, a.height,
                a.width, null, a.viewCodes == null || b.viewCodes == null ? null : join(a.viewCodes, b.viewCodes));
    }

    private static int[] join(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** This batch with mixed views and the mix that made them (no longer views of the store's). */
    public HostBatch withMix(float[][] mixedViews, Mix how) {
        return new HostBatch(mixedViews, labels, indices, channels, height, width, how, null);
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

    /**
     * The partner images of a mixed batch, view {@code v}, unmixed, in {@code m}: the batch's own unmixed view
     * when mixed within the batch (partner i at {@code mix().partnerPositions()[i]}), the second batch's when
     * mixed with one (partner i at position i).
     */
    public NDArray partnerView(NDManager m, int v) {
        if (mix == null) {
            throw new IllegalStateException("an unmixed batch has no partners");
        }
        int n = mix.partnerViews()[v].length / (channels * height * width);
        return HostArrays.floats(m, mix.partnerViews()[v], new Shape(n, channels, height, width));
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
