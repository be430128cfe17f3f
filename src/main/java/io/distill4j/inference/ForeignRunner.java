package io.distill4j.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.foreign.ForeignModel;
import io.distill4j.foreign.ModelContract;
import io.distill4j.util.HostArrays;

import java.util.Arrays;

/**
 * A TorchScript or ONNX file from elsewhere: pixels in [0, 1] are normalised as its contract says (unless the
 * model does that itself), then run by the model's runtime.
 */
final class ForeignRunner implements Runner {
    private final ForeignModel model;
    private final ModelContract contract;

    ForeignRunner(ForeignModel model, ModelContract contract) {
        this.model = model;
        this.contract = contract;
    }

    @Override
    public float[] logits(float[] pixels, int n) {
        try (NDManager m = NDManager.newBaseManager()) {
            int c = contract.channels();
            NDArray x = HostArrays.floats(m, Arrays.copyOf(pixels, n * c * contract.height() * contract.width()),
                    new Shape(n, c, contract.height(), contract.width()));
            if (!contract.normalizedInside()) {
                x = x.sub(HostArrays.floats(m, contract.mean(), new Shape(1, c, 1, 1)))
                        .div(HostArrays.floats(m, contract.std(), new Shape(1, c, 1, 1)));
            }
            return model.forward(x).toFloatArray();
        }
    }

    @Override
    public String name() { return model.runtime(); }

    @Override
    public void close() {
        model.close();
    }
}
