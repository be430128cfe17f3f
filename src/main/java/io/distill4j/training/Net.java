package io.distill4j.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.distill4j.models.Network;
import io.distill4j.models.ResidualUnit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A network of a run with its name, parameter store and (when trainable) its own optimizer.
 * Frozen networks (teachers) have no optimizer and always run in inference mode.
 */
public final class Net implements AutoCloseable {
    private final String name;
    private final Network block;
    private final NDManager manager;
    private final ParameterStore store;
    private final Sgd optimizer;

    public Net(String name, Network block, NDManager manager, Sgd optimizer) {
        this.name = name;
        this.block = block;
        this.manager = manager;
        this.store = new ParameterStore(manager, false);
        this.optimizer = optimizer;
    }

    public String name() { return name; }

    public Network block() { return block; }

    public boolean trainable() { return optimizer != null; }

    public Sgd optimizer() { return optimizer; }

    public NDManager manager() { return manager; }

    /**
     * Forward pass: {@code NDList(logits, features)}. Frozen networks ignore {@code training}. A network placed
     * on another device than its input (config {@code networks.NAME.device}) gets the input copied there and
     * hands its outputs back on the input's device; both copies are differentiable, so losses that combine
     * networks on different devices back-propagate into each.
     */
    public NDList forward(NDArray x, boolean training) {
        Device home = x.getDevice();
        Device own = manager.getDevice();
        if (home.equals(own)) {
            return block.forward(store, new NDList(x), training && trainable());
        }
        NDList out = block.forward(store, new NDList(x.toDevice(own, false)), training && trainable());
        NDList back = new NDList(out.size());
        for (NDArray a : out) {
            back.add(a.toDevice(home, false));
        }
        return back;
    }

    public NDArray logits(NDArray x, boolean training) {
        return forward(x, training).get(0);
    }

    /** Trainable parameters (not BatchNorm running statistics). */
    public static List<Parameter> trainableParameters(Network block) {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : block.getParameters().values()) {
            if (p.requiresGradient()) {
                out.add(p);
            }
        }
        return out;
    }

    /** Parameters of residual branches switched off right now: they take no part in the step. */
    public Set<Parameter> inactiveParameters() {
        Set<Parameter> skip = new HashSet<>();
        for (ResidualUnit u : block.residualUnits()) {
            if (!u.isActive()) {
                skip.addAll(u.branchParameters());
            }
        }
        return skip;
    }

    public long parameterCount() {
        long n = 0;
        for (Parameter p : trainableParameters(block)) {
            n += p.getArray().size();
        }
        return n;
    }

    @Override
    public void close() {
        if (optimizer != null) {
            optimizer.close();
        }
        manager.close();
    }
}
