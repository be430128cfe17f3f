package io.distill4j.methods.mealv2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.distill4j.models.Network;

/**
 * MEAL V2's discriminator (docs/methods.md section 2): an MLP on class logits, C -> C/8 -> C/64 -> 2 (at least two
 * units a layer), ReLU between layers and, as in the reference code, optionally after the last one.
 * Returns {@code (two logits, hidden features)}.
 */
public final class Discriminator extends Network {
    private final Block l1;
    private final Block l2;
    private final Block l3;
    private final boolean reluAfterLast;
    private final int hidden2;

    public Discriminator(int classes, boolean reluAfterLast) {
        super("discriminator-" + classes, 2);
        int h1 = Math.max(2, classes / 8);
        this.hidden2 = Math.max(2, classes / 64);
        this.l1 = addChildBlock("l1", Linear.builder().setUnits(h1).build());
        this.l2 = addChildBlock("l2", Linear.builder().setUnits(hidden2).build());
        this.l3 = addChildBlock("l3", Linear.builder().setUnits(2).build());
        this.reluAfterLast = reluAfterLast;
    }

    @Override
    public int featureDim() { return hidden2; }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray h = Activation.relu(l1.forward(ps, inputs, training).singletonOrThrow());
        NDArray f = Activation.relu(l2.forward(ps, new NDList(h), training).singletonOrThrow());
        NDArray out = l3.forward(ps, new NDList(f), training).singletonOrThrow();
        return new NDList(reluAfterLast ? Activation.relu(out) : out, f);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long n = inputShapes[0].get(0);
        return new Shape[] {new Shape(n, 2), new Shape(n, hidden2)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        l1.initialize(manager, dataType, inputShapes);
        Shape s1 = l1.getOutputShapes(inputShapes)[0];
        l2.initialize(manager, dataType, s1);
        l3.initialize(manager, dataType, l2.getOutputShapes(new Shape[] {s1})[0]);
    }
}
