package io.distill4j.runtime;

import ai.djl.ndarray.NDManager;
import io.distill4j.config.OptimConfig;
import io.distill4j.models.Network;

/**
 * Builds trainable networks with the run's optimizer settings ({@code optim:}), for the run's own networks
 * and for networks a method creates (OKDCR's heads, MEAL V2's discriminator), so that no method builds an
 * optimizer by hand.
 */
public final class Optimizers {
    private final OptimConfig optim;

    public Optimizers(OptimConfig optim) {
        this.optim = optim;
    }

    /** An optimizer over the trainable parameters of {@code block}; its buffers live in {@code manager}. */
    public Sgd sgd(Network block, NDManager manager) {
        return new Sgd(Net.trainableParameters(block), manager, optim.momentum(), optim.weightDecay(),
                optim.nesterov());
    }

    /** A trainable network named {@code name}, with its own optimizer, owning {@code manager}. */
    public Net trainable(String name, Network block, NDManager manager) {
        return new Net(name, block, manager, sgd(block, manager));
    }
}
