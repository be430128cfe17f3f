package io.distill4j.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.distill4j.models.Network;
import io.distill4j.models.ResidualUnit;
import io.distill4j.models.SubNetwork;

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
    /** Per residual unit: did its branch run in any forward since {@link #beginUpdate()}? */
    private boolean[] ranInUpdate;
    private boolean forwardedInUpdate;
    private SubNetwork current;
    private boolean counting;
    private long imagesForwarded;
    private long imagesBackpropagated;

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
        return forward(x, training, null);
    }

    /**
     * Forward pass that also returns the named feature maps ({@link Network#stageNames()}):
     * {@code NDList(logits, features, map of stages[0], map of stages[1], ...)}.
     */
    public NDList forward(NDArray x, boolean training, List<String> stages) {
        PairList<String, Object> params = null;
        if (stages != null && !stages.isEmpty()) {
            params = new PairList<>();
            params.add(Network.STAGES, List.copyOf(stages));
        }
        if (counting) { // the cost of training: every forward, and those that gradients will flow back through
            long n = x.getShape().get(0);
            imagesForwarded += n;
            if (ranInUpdate != null && training && trainable()) {
                imagesBackpropagated += n;
            }
        }
        if (ranInUpdate != null) {
            forwardedInUpdate = true;
            List<ResidualUnit> units = block.residualUnits();
            for (int i = 0; i < units.size(); i++) {
                ranInUpdate[i] |= units.get(i).isActive();
            }
        }
        Device home = x.getDevice();
        Device own = manager.getDevice();
        if (home.equals(own)) {
            return block.forward(store, new NDList(x), training && trainable(), params);
        }
        NDList out = block.forward(store, new NDList(x.toDevice(own, false)), training && trainable(), params);
        NDList back = new NDList(out.size());
        for (NDArray a : out) {
            back.add(a.toDevice(home, false));
        }
        return back;
    }

    public NDArray logits(NDArray x, boolean training) {
        return forward(x, training).get(0);
    }

    /**
     * Counts the images of the forwards made while on (the training loop turns it on for its steps, so
     * evaluation is not counted). A forward of a sub-network counts as a whole one.
     */
    public void countForwards(boolean on) { counting = on; }

    /** Images forwarded while counting. */
    public long imagesForwarded() { return imagesForwarded; }

    /** Images forwarded while counting inside an update with gradients recorded (backpropagated). */
    public long imagesBackpropagated() { return imagesBackpropagated; }

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

    /**
     * Runs the forwards made until the returned scope closes on {@code sub} (its branches switched off and
     * scaled as it says); closing restores the whole network. Scopes do not nest.
     */
    public SubNetworkScope use(SubNetwork sub) {
        List<ResidualUnit> units = block.residualUnits();
        if (sub.size() != units.size()) {
            throw new IllegalArgumentException(name + " has " + units.size() + " residual units, the sub-network "
                    + sub.size());
        }
        if (current != null) {
            throw new IllegalStateException(name + ": a sub-network is already in use");
        }
        for (int i = 0; i < units.size(); i++) {
            if (!sub.isActive(i) && !units.get(i).isDroppable()) {
                throw new IllegalArgumentException(name + ": residual unit " + i + " changes the tensor shape and "
                        + "cannot be dropped");
            }
        }
        current = sub;
        for (int i = 0; i < units.size(); i++) {
            units.get(i).setActive(sub.isActive(i));
            units.get(i).setScale(sub.scale(i));
        }
        return () -> {
            for (ResidualUnit u : units) {
                u.setActive(true);
                u.setScale(1f);
            }
            current = null;
        };
    }

    /** A scope in which a sub-network is applied; closing restores the whole network. */
    public interface SubNetworkScope extends AutoCloseable {
        @Override
        void close();
    }

    /** The sub-network in use, or null when the whole network runs. */
    public SubNetwork subNetwork() { return current; }

    /** Starts recording which parameters take part in the forwards of one update. */
    public void beginUpdate() {
        ranInUpdate = new boolean[block.residualUnits().size()];
        forwardedInUpdate = false;
    }

    /**
     * Ends the recording and returns the parameters that took part in no forward of the update (branches
     * switched off in every forward): the optimizer leaves them untouched, momentum and weight decay included.
     */
    public Set<Parameter> endUpdate() {
        Set<Parameter> skip = new HashSet<>();
        boolean[] ran = ranInUpdate;
        ranInUpdate = null;
        if (ran == null || !forwardedInUpdate) {
            return skip; // not forwarded: its gradients are undefined and the optimizer skips them anyway
        }
        List<ResidualUnit> units = block.residualUnits();
        for (int i = 0; i < units.size(); i++) {
            if (!ran[i]) {
                skip.addAll(units.get(i).branchParameters());
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
