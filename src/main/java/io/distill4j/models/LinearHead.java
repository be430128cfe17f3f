package io.distill4j.models;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;

import java.util.List;

/**
 * A classifier head on a network's pooled features (N, D) -> logits (N, classes): the extra task classifiers
 * of multi-head methods (OKDCR's second classifier per peer). Initialised like the networks' own classifiers.
 */
public final class LinearHead extends Network {
    private final Block fc;
    private final int inputDim;

    public LinearHead(String arch, int inputDim, int numClasses) {
        super(arch, numClasses);
        this.inputDim = inputDim;
        this.fc = addChildBlock("fc", Linear.builder().setUnits(numClasses).build());
    }

    /** A head for features of dimension {@code inputDim}, initialised in {@code manager}. */
    public static LinearHead create(String arch, int inputDim, int numClasses, NDManager manager) {
        LinearHead head = new LinearHead(arch, inputDim, numClasses);
        head.setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                XavierInitializer.FactorType.IN, 2), Parameter.Type.WEIGHT);
        head.initialize(manager, DataType.FLOAT32, new Shape(1, inputDim));
        return head;
    }

    @Override
    public Layout layout() {
        return new Layout(List.of(), false, null, fc);
    }

    /** The head's input is features, so its "features" output is its input. */
    @Override
    public int featureDim() { return inputDim; }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        return new NDList(fc.forward(ps, inputs, training).singletonOrThrow(), inputs.singletonOrThrow());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long n = inputShapes[0].get(0);
        return new Shape[] {new Shape(n, numClasses()), inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        fc.initialize(manager, dataType, inputShapes);
    }
}
