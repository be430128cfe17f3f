package io.distill4j.knowledge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.distill4j.UserError;
import io.distill4j.foreign.ForeignModel;
import io.distill4j.foreign.InputAdapter;
import io.distill4j.foreign.ModelContract;
import io.distill4j.runtime.Net;
import io.distill4j.util.HostArrays;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    private final List<String> outputs; // the names of the model's outputs (logits first), or null: logits only
    private boolean counting;
    private long forwarded;

    /**
     * @param order   the model's output index of each dataset class, or null when they are in the same order
     * @param outputs the names of the model's outputs as its card gives them ({@code logits} first, then
     *                {@code features} and feature maps by stage name), or null for a model that returns logits only
     */
    public ForeignTeacher(String name, ForeignModel model, ModelContract contract, InputAdapter adapter, int[] order,
                          List<String> outputs) {
        this.name = name;
        this.outputs = outputs == null ? null : List.copyOf(outputs);
        this.model = model;
        this.contract = contract;
        this.adapter = adapter;
        this.permutation = order == null ? null : permutation(order);
    }

    @Override
    public String name() { return name; }

    @Override
    public NDArray logits(NDArray x) {
        NDArray z = outputs == null ? model.forward(adapter.adapt(x)) : model.forwardAll(adapter.adapt(x)).get(0);
        count(x);
        return inDatasetOrder(z);
    }

    /**
     * Logits, pooled features and the named maps, from a model whose card names its outputs: the pooled features
     * are its {@code features} output, or the spatial mean of its last feature map when it has none.
     */
    @Override
    public NDList features(NDArray x, List<String> stages) {
        if (stageNames().isEmpty()) {
            throw Teacher.noFeatures(this);
        }
        NDList out = model.forwardAll(adapter.adapt(x));
        count(x);
        NDList result = new NDList(inDatasetOrder(out.get(0)));
        int pooled = outputs.indexOf("features");
        result.add(pooled >= 0 ? out.get(pooled) : out.get(outputs.size() - 1).mean(new int[] {2, 3}));
        for (String stage : stages) {
            int i = outputs.indexOf(stage);
            if (i < 1 || stage.equals("features")) {
                throw new UserError("teachers." + name + ": '" + stage + "' is not a feature map of " + model.file()
                        + " (its card names: " + String.join(", ", stageNames().keySet()) + ")");
            }
            result.add(out.get(i));
        }
        return result;
    }

    /** The feature maps its card names (every output but {@code logits} and {@code features}), each with its index. */
    @Override
    public Map<String, String> stageNames() {
        Map<String, String> names = new LinkedHashMap<>();
        if (outputs != null) {
            for (int i = 1; i < outputs.size(); i++) {
                if (!outputs.get(i).equals("features")) {
                    names.put(outputs.get(i), "output " + i + " of the model");
                }
            }
        }
        return names;
    }

    private void count(NDArray x) {
        if (counting) {
            forwarded += x.getShape().get(0);
        }
    }

    private NDArray inDatasetOrder(NDArray z) {
        if (permutation == null) {
            return z;
        }
        int k = (int) Math.round(Math.sqrt(permutation.length));
        return z.matMul(HostArrays.floats(z.getManager(), permutation, new Shape(k, k)));
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
