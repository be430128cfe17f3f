package io.distill4j.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.distill4j.util.Scalars;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Stochastic gradient descent with PyTorch's semantics ({@code torch.optim.SGD}, dampening 0):
 * <pre>
 *   d = g + wd * w
 *   b = momentum * b + d            (b starts at 0, so the first step sets b = d as PyTorch does)
 *   d = nesterov ? d + momentum * b : b
 *   w = w - lr * d
 * </pre>
 * A parameter that took no part in a step is left alone (no weight decay, no momentum), as PyTorch 2 does
 * for parameters whose gradient is None. libtorch keeps a zeroed gradient defined once it exists, so it
 * cannot tell us: the caller names such parameters (e.g. the branch of a residual block switched off for the
 * step), and a parameter that never had a gradient is skipped too. DJL's own
 * {@code Sgd} folds the learning rate into the buffer and has no Nesterov (ENGINE.md), hence this class.
 */
public final class Sgd implements AutoCloseable {
    private List<Parameter> params;
    private final List<NDArray> buffers = new ArrayList<>();
    private final NDManager manager;
    private final float momentum;
    private final float weightDecay;
    private final boolean nesterov;

    /** @param manager a long-lived manager for the momentum buffers (never a per-batch one) */
    public Sgd(List<Parameter> params, NDManager manager, double momentum, double weightDecay, boolean nesterov) {
        this.params = List.copyOf(params);
        this.manager = manager.newSubManager();
        this.momentum = (float) momentum;
        this.weightDecay = (float) weightDecay;
        this.nesterov = nesterov;
        for (Parameter p : this.params) {
            NDArray w = p.getArray();
            buffers.add(momentum == 0 ? null : this.manager.zeros(w.getShape(), w.getDataType(), w.getDevice()));
        }
    }

    /** Applies one update at the given learning rate, then clears the gradients. */
    public void step(double lr, Set<Parameter> skip) {
        if (params.isEmpty()) {
            return;
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray like = params.get(0).getArray(); // one scalar each per step, made by libtorch (util/Scalars)
            NDArray decay = Scalars.of(like, weightDecay);
            NDArray mom = Scalars.of(like, momentum);
            NDArray rate = Scalars.of(like, (float) lr);
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                PtNDArray w = (PtNDArray) p.getArray();
                PtNDArray g = JniUtils.getGradient(w);
                if (g == null) {
                    continue; // took no part in this step
                }
                if (skip.contains(p)) {
                    JniUtils.zeroGrad(w);
                    continue;
                }
                // in place on the gradient (cleared below anyway): two temporaries instead of five
                if (weightDecay != 0) {
                    g.addi(w.mul(decay));
                }
                NDArray b = buffers.get(i);
                NDArray d = g;
                if (b != null) {
                    b.muli(mom).addi(g);
                    d = nesterov ? g.addi(b.mul(mom)) : b;
                }
                w.subi(d == b ? b.mul(rate) : d.muli(rate));
                JniUtils.zeroGrad(w);
            }
        }
    }

    /** Clears gradients without updating (e.g. after a step whose loss was rejected). */
    public void zeroGrad() {
        for (Parameter p : params) {
            JniUtils.zeroGrad((PtNDArray) p.getArray());
        }
    }

    public List<Parameter> parameters() { return params; }

    /**
     * Steps {@code replacement} from now on instead of the parameters it was made with, keeping the momentum buffers:
     * the same parameters of a module loaded anew (a TorchScript student restored from a checkpoint), in the same
     * order and shapes.
     */
    public void rebind(List<Parameter> replacement) {
        if (replacement.size() != params.size()) {
            throw new IllegalArgumentException(replacement.size() + " parameters, the optimizer has " + params.size());
        }
        for (int i = 0; i < params.size(); i++) {
            if (!replacement.get(i).getArray().getShape().equals(params.get(i).getArray().getShape())) {
                throw new IllegalArgumentException("parameter " + i + " has shape "
                        + replacement.get(i).getArray().getShape() + ", expected " + params.get(i).getArray().getShape());
            }
        }
        params = List.copyOf(replacement);
    }

    /** The momentum buffers, in parameter order, for checkpoints. */
    public NDList state() {
        NDList l = new NDList();
        for (NDArray b : buffers) {
            if (b != null) {
                l.add(b);
            }
        }
        return l;
    }

    /** Restores the momentum buffers saved by {@link #state()}. */
    public void loadState(NDList saved) {
        int k = 0;
        for (NDArray b : buffers) {
            if (b == null) {
                continue;
            }
            if (k >= saved.size() || !saved.get(k).getShape().equals(b.getShape())) {
                throw new IllegalArgumentException("optimizer state does not match the network's parameters");
            }
            b.set(saved.get(k).toFloatArray());
            k++;
        }
        if (k != saved.size()) {
            throw new IllegalArgumentException("optimizer state has " + saved.size() + " buffers, expected " + k);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
