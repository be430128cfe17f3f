package io.distill4j.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.distill4j.data.HostBatch;
import io.distill4j.losses.DistillLoss;
import io.distill4j.util.HostArrays;

/**
 * A training batch on the engine side, inside the step's own native-memory scope. Views are independent
 * augmentations of the same samples (view 0 always exists); {@link #indices()} are dataset indices.
 */
public final class Batch {
    private final HostBatch host;
    private final NDManager manager;
    private final NDArray[] views;
    private NDArray labels;

    private final boolean[] labelledByIndex;

    public Batch(HostBatch host, NDManager manager) {
        this(host, manager, null);
    }

    /** @param labelledByIndex which dataset samples keep their label (semi-supervised), or null for all */
    public Batch(HostBatch host, NDManager manager, boolean[] labelledByIndex) {
        this.host = host;
        this.manager = manager;
        this.views = new NDArray[host.views().length];
        this.labelledByIndex = labelledByIndex;
    }

    /**
     * Per sample of this batch: may its label be used? Null when every sample keeps its label. A sample that
     * mixing blended with a partner (Mixup, CutMix) carries both labels, so it counts only when both keep theirs.
     */
    public boolean[] labelledMask() {
        if (labelledByIndex == null) {
            return null;
        }
        boolean[] m = labelledMask(host.indices());
        if (host.mixed()) {
            int[] partners = host.mix().partnerIndices();
            for (int i = 0; i < m.length; i++) {
                m[i] &= labelledByIndex[partners[i]];
            }
        }
        return m;
    }

    /** Whether each of the given dataset samples keeps its label (unmixed); null when every sample does. */
    public boolean[] labelledMask(int[] datasetIndices) {
        if (labelledByIndex == null) {
            return null;
        }
        boolean[] m = new boolean[datasetIndices.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = labelledByIndex[datasetIndices[i]];
        }
        return m;
    }

    public NDArray view(int v) {
        if (v >= views.length) {
            throw new IllegalStateException("the method asked for view " + v + " but the loader made "
                    + views.length + " (Method.views())");
        }
        if (views[v] == null) {
            views[v] = host.view(manager, v);
        }
        return views[v];
    }

    public NDArray images() { return view(0); }

    public NDArray labels() {
        if (labels == null) {
            labels = host.labels(manager);
        }
        return labels;
    }

    /** Targets as distributions (N, classes): one-hot, or CutMix's mixture of two labels. */
    public NDArray targets(int classes) {
        return HostArrays.floats(manager, host.targets(classes), new Shape(host.size(), classes));
    }

    /** Cross-entropy of logits against this batch's labels, mixed-label when CutMix mixed the batch. */
    public NDArray crossEntropy(NDArray logits) {
        boolean[] mask = labelledMask();
        if (mask == null) {
            return host.mixed() ? DistillLoss.softCrossEntropy(targets((int) logits.getShape().get(1)), logits, 1)
                    : DistillLoss.crossEntropy(logits, labels());
        }
        // semi-supervised: the mean over the labelled samples only (0 when the batch has none)
        NDArray perSample = host.mixed()
                ? DistillLoss.softCrossEntropyPerSample(targets((int) logits.getShape().get(1)), logits)
                : DistillLoss.crossEntropyPerSample(logits, labels());
        return DistillLoss.maskedMean(perSample, mask);
    }

    /**
     * Top-1 of {@code logits} against this batch's hard labels; of a training-mode forward (BatchNorm on batch
     * statistics), the training-split accuracy in training mode, beside the inference-mode fit of
     * {@code train.train_fit}.
     */
    public double top1(NDArray logits) {
        long correct = logits.argMax(1).toType(DataType.INT64, false)
                .eq(labels().toType(DataType.INT64, false)).sum().getLong();
        return (double) correct / size();
    }

    public int[] indices() { return host.indices(); }

    public int size() { return host.size(); }

    public NDManager manager() { return manager; }

    public HostBatch host() { return host; }
}
