package io.distill4j.methods.dlb;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Stateful;
import io.distill4j.util.HostArrays;

/**
 * The knowledge of the last mini-batch (DLB): the images of one view of the previous batch, their targets and
 * dataset indices, and the network's detached logits for that batch at the step that saw it. Kept on the host
 * (one batch), so it outlives the step's native-memory scope; checkpointed, so a resumed run continues
 * exactly.
 */
public final class LastBatch implements Stateful {
    private final String name;
    private float[] images;
    private long[] imageShape;
    private float[] targets;
    private int[] indices;
    private float[] logits;
    private boolean[] labelled;
    private int classes;

    /** @param name the checkpoint section, e.g. {@code dlb/last_batch} */
    public LastBatch(String name) {
        this.name = name;
    }

    /** Remembers a batch: images (N, C, H, W) as a flat array, targets and logits (N, classes). */
    public void remember(float[] images, long[] imageShape, float[] targets, int[] indices, NDArray logits) {
        remember(images, imageShape, targets, indices, logits, null);
    }

    /**
     * Remembers a batch with, in a semi-supervised run, which of its samples may use their targets (a mixed
     * sample only when both of its images keep their label); null when all may.
     */
    public void remember(float[] images, long[] imageShape, float[] targets, int[] indices, NDArray logits,
                         boolean[] labelled) {
        this.labelled = labelled == null ? null : labelled.clone();
        this.images = images;
        this.imageShape = imageShape.clone();
        this.targets = targets;
        this.indices = indices.clone();
        this.classes = (int) logits.getShape().get(1);
        this.logits = logits.toFloatArray();
    }

    public boolean isEmpty() { return indices == null; }

    public int size() { return indices == null ? 0 : indices.length; }

    /** Dataset indices of the remembered samples (empty when nothing is remembered yet). */
    public int[] indices() { return indices == null ? new int[0] : indices.clone(); }

    /** Which remembered samples may use their targets; null when all may. */
    public boolean[] labelled() { return labelled == null ? null : labelled.clone(); }

    public NDArray images(NDManager m) { return HostArrays.floats(m, images, new Shape(imageShape)); }

    public NDArray targets(NDManager m) { return HostArrays.floats(m, targets, new Shape(indices.length, classes)); }

    public NDArray logits(NDManager m) { return HostArrays.floats(m, logits, new Shape(indices.length, classes)); }

    @Override
    public String stateName() { return name; }

    @Override
    public void save(Checkpoint.Section s) {
        s.values().addProperty("present", !isEmpty());
        if (isEmpty()) {
            return;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDList arrays = new NDList(images(m), targets(m), m.create(indices), logits(m));
            if (labelled != null) {
                arrays.add(m.create(labelled));
            }
            s.putArrays("batch", arrays);
        }
    }

    @Override
    public void load(Checkpoint.Section s, NDManager manager) {
        if (!s.require("present").getAsBoolean()) {
            images = null;
            imageShape = null;
            targets = null;
            indices = null;
            logits = null;
            labelled = null;
            return;
        }
        try (NDManager m = manager.newSubManager()) {
            NDList l = s.arrays("batch", m);
            images = l.get(0).toFloatArray();
            imageShape = l.get(0).getShape().getShape();
            targets = l.get(1).toFloatArray();
            indices = l.get(2).toIntArray();
            logits = l.get(3).toFloatArray();
            classes = (int) l.get(3).getShape().get(1);
            labelled = l.size() > 4 ? l.get(4).toBooleanArray() : null;
        }
    }
}
