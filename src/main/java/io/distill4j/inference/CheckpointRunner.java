package io.distill4j.inference;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.distill4j.export.TrainedNetwork;

import java.nio.FloatBuffer;

/** distill4j's own forward pass (inference mode, as evaluation runs it) of a network loaded from a checkpoint. */
final class CheckpointRunner implements Runner {
    private final TrainedNetwork network;
    private final ParameterStore store;

    CheckpointRunner(TrainedNetwork network) {
        this.network = network;
        this.store = new ParameterStore(network.manager(), false);
    }

    @Override
    public float[] logits(float[] pixels, int n) {
        var card = network.card();
        try (NDManager batch = network.manager().newSubManager()) {
            var x = batch.create(FloatBuffer.wrap(pixels, 0, n * card.channels() * card.height() * card.width()),
                    new Shape(n, card.channels(), card.height(), card.width()));
            return network.block().forward(store, new NDList(x), false).get(0).toFloatArray();
        }
    }

    @Override
    public String name() { return "distill4j"; }

    @Override
    public void close() {
        network.close();
    }
}
