package io.distill4j.knowledge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.distill4j.foreign.ForeignModel;
import io.distill4j.foreign.InputAdapter;
import io.distill4j.foreign.ModelContract;
import io.distill4j.runtime.Net;
import io.distill4j.util.HostArrays;

/**
 * A teacher from a model file that distill4j did not train (TorchScript, ONNX) or exported: the student's batch is
 * adapted to the model's input contract ({@link InputAdapter}), and its logits are put into the dataset's class
 * order when the two name their classes differently ({@code order[i]}: the model's output for dataset class i).
 */
public final class ForeignTeacher implements Teacher {
    private final String name;
    private final ForeignModel model;
    private final ModelContract contract;
    private final InputAdapter adapter;
    private final float[] permutation; // (model outputs, dataset classes), or null when in the same order
    private boolean counting;
    private long forwarded;

    /** @param order the model's output index of each dataset class, or null when they are in the same order */
    public ForeignTeacher(String name, ForeignModel model, ModelContract contract, InputAdapter adapter, int[] order) {
        this.name = name;
        this.model = model;
        this.contract = contract;
        this.adapter = adapter;
        this.permutation = order == null ? null : permutation(order);
    }

    @Override
    public String name() { return name; }

    @Override
    public NDArray logits(NDArray x) {
        NDArray z = model.forward(adapter.adapt(x));
        if (counting) {
            forwarded += x.getShape().get(0);
        }
        if (permutation == null) {
            return z;
        }
        int k = (int) Math.round(Math.sqrt(permutation.length));
        return z.matMul(HostArrays.floats(x.getManager(), permutation, new Shape(k, k)));
    }

    /** The 0/1 matrix whose column i picks the model's output {@code order[i]}: an exact reordering. */
    private static float[] permutation(int[] order) {
        int k = order.length;
        float[] p = new float[k * k];
        for (int i = 0; i < k; i++) {
            p[order[i] * k + i] = 1f;
        }
        return p;
    }

    @Override
    public Net net() { return null; }

    /** The model's input contract. */
    public ModelContract contract() { return contract; }

    public ForeignModel model() { return model; }

    @Override
    public String describe() { return model.runtime() + " model " + model.file() + " (" + contract.describe() + ")"; }

    @Override
    public void countForwards(boolean on) { counting = on; }

    @Override
    public long imagesForwarded() { return forwarded; }

    @Override
    public void close() { model.close(); }
}
