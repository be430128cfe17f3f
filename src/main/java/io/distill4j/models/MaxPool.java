package io.distill4j.models;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.pooling.Pool;

/**
 * 2-D max pooling with square kernel, stride and zero padding (floor mode), as {@code Pool.maxPool2dBlock} but with
 * its geometry readable, so that writers of other formats can describe it.
 */
public final class MaxPool extends LambdaBlock {
    private final int kernel;
    private final int stride;
    private final int padding;

    MaxPool(int kernel, int stride, int padding) {
        super(l -> new NDList(Pool.maxPool2d(l.singletonOrThrow(), new Shape(kernel, kernel), new Shape(stride, stride),
                new Shape(padding, padding), false)), "maxPool2d");
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    public int kernel() { return kernel; }

    public int stride() { return stride; }

    public int padding() { return padding; }
}
