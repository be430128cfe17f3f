package io.distill4j.losses;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.distill4j.util.Scalars;

/**
 * Losses between feature maps and embeddings (docs/methods.md sections 10 to 12). The teacher's side is
 * always detached.
 */
public final class FeatureLoss {
    /** The floor of a norm, as {@code torch.nn.functional.normalize}'s epsilon. */
    private static final float NORM_EPSILON = 1e-12f;
    /** CRD's epsilon in the NCE posterior. */
    private static final float NCE_EPSILON = 1e-7f;

    private FeatureLoss() {}

    /** FitNets' hint loss: the mean squared difference over every element of two maps of one shape. */
    public static NDArray hint(NDArray student, NDArray teacher) {
        NDArray d = student.sub(teacher.stopGradient());
        return d.mul(d).mean();
    }

    /**
     * Zagoruyko and Komodakis's attention map of a feature map (N, C, H, W): the mean over channels of
     * {@code |f|^p}, flattened to (N, H W) and divided by its L2 norm.
     */
    public static NDArray attention(NDArray features, double p) {
        Shape s = features.getShape();
        NDArray a = (p == 2 ? features.mul(features) : Scalars.pow(features.abs(), p)).mean(new int[] {1});
        return l2Normalize(a.reshape(s.get(0), -1));
    }

    /**
     * One stage's attention-transfer loss: the mean over the batch and the positions of the squared difference of
     * the two attention maps; the map of higher resolution is first average-pooled to the other's (integer
     * ratios only), as mdistiller does.
     */
    public static NDArray attentionTransfer(NDArray student, NDArray teacher, double p) {
        long hs = student.getShape().get(2);
        long ht = teacher.getShape().get(2);
        NDArray s = hs > ht ? pool(student, ht) : student;
        NDArray t = ht > hs ? pool(teacher.stopGradient(), hs) : teacher.stopGradient();
        NDArray d = attention(s, p).sub(attention(t, p));
        return d.mul(d).mean();
    }

    /** Average pooling of (N, C, H, W) to (N, C, size, size), when H and W are multiples of size. */
    static NDArray pool(NDArray f, long size) {
        Shape s = f.getShape();
        long r = s.get(2) / size;
        if (s.get(2) != r * size || s.get(3) != r * size) {
            throw new IllegalArgumentException("cannot pool a " + s.get(2) + "x" + s.get(3) + " map to " + size + "x"
                    + size);
        }
        return f.reshape(s.get(0), s.get(1), size, r, size, r).mean(new int[] {5}).mean(new int[] {3}); // one axis at a time
    }

    /** Each row divided by its L2 norm (at least 1e-12). */
    public static NDArray l2Normalize(NDArray x) {
        NDArray norm = x.mul(x).sum(new int[] {1}, true).sqrt();
        return x.div(Scalars.maximum(norm, NORM_EPSILON));
    }

    /**
     * CRD's NCE loss (Tian et al., ICLR 2020, eq. 18 as their code): {@code scores} (N, 1 + K) are the
     * normalised exponentiated similarities, positive first; with the noise distribution uniform over the
     * {@code samples} of the data, {@code P_n = 1 / samples}, the loss is
     * {@code -(sum_i log(h_i+) + sum_{i,j} log(1 - h_ij-)) / N} where {@code h = s / (s + K P_n + eps)}.
     */
    public static NDArray nce(NDArray scores, long samples) {
        long n = scores.getShape().get(0);
        long k = scores.getShape().get(1) - 1;
        float noise = (float) ((double) k / samples);
        NDArray denominator = Scalars.add(scores, noise + NCE_EPSILON);
        NDArray pos = scores.get(":, 0:1");
        NDArray logPos = pos.div(denominator.get(":, 0:1")).log();
        NDArray logNeg = Scalars.mul(denominator.get(":, 1:"), 1f / noise).log().neg();
        return Scalars.div(logPos.sum().add(logNeg.sum()).neg(), n);
    }
}
