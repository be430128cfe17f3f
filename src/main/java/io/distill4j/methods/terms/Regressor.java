package io.distill4j.methods.terms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.distill4j.models.Layers;
import io.distill4j.models.Network;
import io.distill4j.models.Scopes;

import java.util.List;

/**
 * FitNets' regressor (docs/methods.md section 10): a 1x1 convolution to the teacher's channel count, BatchNorm
 * and ReLU (the hint it imitates is the output of a ReLU; mdistiller's connector ends the same way), from the
 * student's guided map (N, C_s, H, W) to (N, C_t, H, W). Returns {@code (map, map)}.
 */
public final class Regressor extends Network {
    private final Block body;
    private final int channels;

    public Regressor(int channels) {
        super("regressor-" + channels, channels);
        this.channels = channels;
        this.body = addChildBlock("body", Layers.seq(Layers.conv(channels, 1, 1), Layers.bn(), Layers.relu()));
    }

    @Override
    public int featureDim() { return channels; }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray y = Scopes.chain(List.of(body), ps, inputs, training).singletonOrThrow();
        return new NDList(y, y);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = body.getOutputShapes(inputShapes)[0];
        return new Shape[] {s, s};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        body.initialize(manager, dataType, inputShapes);
    }
}
