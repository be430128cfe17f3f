package io.distill4j.methods.terms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.distill4j.models.Network;
import io.distill4j.util.Scalars;

/**
 * CRD's embedding head (docs/methods.md section 12): a linear map of pooled features (N, D) to (N, dim), each
 * row divided by its L2 norm. Returns {@code (embedding, embedding)}.
 */
public final class Embedding extends Network {
    private final Block linear;
    private final int dim;

    public Embedding(int dim) {
        super("embedding-" + dim, dim);
        this.dim = dim;
        this.linear = addChildBlock("linear", Linear.builder().setUnits(dim).build());
    }

    @Override
    public int featureDim() { return dim; }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray y = linear.forward(ps, new NDList(x.reshape(x.getShape().get(0), -1)), training).singletonOrThrow();
        NDArray e = y.div(Scalars.maximum(y.mul(y).sum(new int[] {1}, true).sqrt(), 1e-12f));
        return new NDList(e, e);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = new Shape(inputShapes[0].get(0), dim);
        return new Shape[] {s, s};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        linear.initialize(manager, dataType, inputShapes);
    }
}
