package io.distill4j.models;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;

/** Building blocks with PyTorch's defaults. */
public final class Layers {
    private Layers() {}

    /** A bias-free convolution (it is always followed by BatchNorm here), "same" padding. */
    public static Block conv(int filters, int kernel, int stride, int groups) {
        return Conv2d.builder().setFilters(filters).setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride)).optPadding(new Shape(kernel / 2, kernel / 2))
                .optGroups(groups).optBias(false).build();
    }

    public static Block conv(int filters, int kernel, int stride) {
        return conv(filters, kernel, stride, 1);
    }

    /**
     * BatchNorm as PyTorch's default: eps 1e-5, running statistics updated with factor 0.1. DJL's momentum is
     * the complement (the PyTorch engine passes {@code 1 - momentum} to libtorch), hence 0.9.
     */
    public static Block bn() {
        return BatchNorm.builder().optEpsilon(Network.BN_EPSILON).optMomentum(1 - Network.BN_UPDATE).build();
    }

    public static Block relu() {
        return Activation.reluBlock();
    }

    public static Block relu6() {
        return new LambdaBlock(l -> new NDList(l.singletonOrThrow().clip(0f, 6f)), "relu6");
    }

    /** Max pooling whose geometry other formats can read ({@link MaxPool}). */
    public static Block maxPool(int kernel, int stride, int padding) {
        return new MaxPool(kernel, stride, padding);
    }

    public static SequentialBlock seq(Block... blocks) {
        SequentialBlock s = new SequentialBlock();
        for (Block b : blocks) {
            s.add(b);
        }
        return s;
    }
}
