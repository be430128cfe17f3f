package io.distill4j.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.distill4j.models.LinearHead;
import io.distill4j.models.ModelRegistry;
import io.distill4j.models.Network;

/**
 * A trained network as shipped: input pixels in [0, 1] (N, C, H, W), the dataset's normalisation, the network, and
 * only its logits out (N, classes), as DJL's image classification translator expects. With a {@code head} (OKDCR's
 * second classifier), the logits are the head's on the network's features. The same block is what the DJL export
 * saves and {@link ClassifierBlockFactory} rebuilds, and what the ONNX writer describes.
 */
public final class ClassifierBlock extends AbstractBlock {
    private static final byte VERSION = 1;

    private final Network network;
    private final LinearHead head;
    private final float[] mean;
    private final float[] std;

    /** An uninitialised block for {@code arch} (and a head of arch {@code headArch}, or none when null). */
    public ClassifierBlock(String arch, String headArch, int channels, int classes, float[] mean, float[] std) {
        super(VERSION);
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("normalisation of " + mean.length + " channels for " + channels);
        }
        this.network = addChildBlock("network", ModelRegistry.build(arch, channels, classes));
        this.head = headArch == null ? null
                : addChildBlock("head", new LinearHead(headArch, network.featureDim(), classes));
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** Allocates the parameters for inputs of (C, H, W) (values to be loaded afterwards). */
    public ClassifierBlock allocate(NDManager manager, int channels, int height, int width) {
        setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
        initialize(manager, DataType.FLOAT32, new Shape(1, channels, height, width));
        return this;
    }

    public Network network() { return network; }

    /** The second head whose logits replace the network's own, or null. */
    public LinearHead head() { return head; }

    public float[] mean() { return mean.clone(); }

    public float[] std() { return std.clone(); }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDManager m = x.getManager();
        Shape perChannel = new Shape(1, mean.length, 1, 1);
        NDArray normalised = x.sub(m.create(mean, perChannel)).div(m.create(std, perChannel));
        NDList out = network.forward(ps, new NDList(normalised), training);
        if (head == null) {
            return new NDList(out.get(0));
        }
        return new NDList(head.forward(ps, new NDList(out.get(1)), training).get(0));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), network.numClasses())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        network.initialize(manager, dataType, inputShapes);
        if (head != null) {
            head.initialize(manager, dataType, new Shape(inputShapes[0].get(0), network.featureDim()));
        }
    }
}
