package io.distill4j.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Squeeze-and-excitation as MobileNetV3 uses it (torchvision's {@code SqueezeExcitation}): {@code x * s} with
 * {@code s = hardsigmoid(fc2(relu(fc1(avgpool(x)))))}, fc1 and fc2 1x1 convolutions with bias
 * ({@code C -> squeeze -> C}), the average over the whole map.
 */
public final class SqueezeExcitation extends AbstractBlock {
    private final Block fc1;
    private final Block fc2;
    private final int squeeze;

    SqueezeExcitation(int channels, int squeeze) {
        this.squeeze = squeeze;
        this.fc1 = addChildBlock("fc1", pointwise(squeeze));
        this.fc2 = addChildBlock("fc2", pointwise(channels));
    }

    /** The squeezing 1x1 convolution (followed by ReLU), for writers of other formats. */
    public Block fc1() { return fc1; }

    /** The exciting 1x1 convolution (followed by the hard-sigmoid gate). */
    public Block fc2() { return fc2; }

    private static Block pointwise(int filters) {
        return Conv2d.builder().setFilters(filters).setKernelShape(new Shape(1, 1)).optBias(true).build();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape shape = x.getShape();
        // the mean over the map, one axis at a time as CifarNetwork's pooling
        NDArray s = x.reshape(shape.get(0), shape.get(1), -1).mean(new int[] {2})
                .reshape(shape.get(0), shape.get(1), 1, 1);
        s = Activation.relu(fc1.forward(ps, new NDList(s), training).singletonOrThrow());
        s = ArticleNetworks.hardSigmoid(fc2.forward(ps, new NDList(s), training).singletonOrThrow());
        return new NDList(x.mul(s));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long n = inputShapes[0].get(0);
        fc1.initialize(manager, dataType, new Shape(n, inputShapes[0].get(1), 1, 1));
        fc2.initialize(manager, dataType, new Shape(n, squeeze, 1, 1));
    }
}
