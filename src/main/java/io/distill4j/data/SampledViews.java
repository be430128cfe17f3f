package io.distill4j.data;

/**
 * A fixed set of random-resized crops per training sample, from a store of the teacher's outputs over them: the
 * run's augmentation of a streamed image becomes "one of the stored K", drawn uniformly, so the teacher's logits of
 * the view drawn are stored. A view is a region (x, y, width, height, in the file's pixels) and a flip.
 */
public interface SampledViews {
    /** Views per sample (K). */
    int count();

    /** The region of view {@code k} of training sample {@code sample}. */
    double[] region(int sample, int k);

    /** Whether view {@code k} of {@code sample} is flipped. */
    boolean flip(int sample, int k);
}
