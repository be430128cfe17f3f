package io.distill4j.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.distill4j.util.Scalars;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code y = post(shortcut(p) + branch(p))} with {@code p = pre(x)} (or x), the shortcut being the identity on x
 * when absent. Covers the basic block of CIFAR ResNets (no pre, ReLU after the sum), the pre-activation block of
 * WRN (pre = BN-ReLU, the projection shortcut reads pre(x)) and MobileNetV2's inverted residual.
 * Switched off, an identity-shortcut block is the identity: its branch does not run at all.
 */
public final class ResidualBlock extends AbstractBlock implements ResidualUnit {
    private final Block pre;
    private final Block branch;
    private final Block shortcut;
    private final boolean reluAfter;
    private final int stage;
    private boolean active = true;
    private float scale = 1f;

    public ResidualBlock(Block pre, Block branch, Block shortcut, boolean reluAfter, int stage) {
        this.pre = pre == null ? null : addChildBlock("pre", pre);
        this.branch = addChildBlock("branch", branch);
        this.shortcut = shortcut == null ? null : addChildBlock("shortcut", shortcut);
        this.reluAfter = reluAfter;
        this.stage = stage;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        if (!active) {
            return inputs;
        }
        NDArray x = inputs.singletonOrThrow();
        NDList p = pre == null ? inputs : Scopes.chain(List.of(pre), ps, inputs, training);
        NDArray b = Scopes.chain(List.of(branch), ps, p, training).singletonOrThrow();
        NDArray s = shortcut == null ? x : shortcut.forward(ps, p, training).singletonOrThrow();
        NDArray y = (scale == 1f ? b : Scalars.mul(b, scale)).add(s);
        return new NDList(reluAfter ? Activation.relu(y) : y);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] p = pre == null ? inputShapes : pre.getOutputShapes(inputShapes);
        return branch.getOutputShapes(p);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] p = inputShapes;
        if (pre != null) {
            pre.initialize(manager, dataType, inputShapes);
            p = pre.getOutputShapes(inputShapes);
        }
        branch.initialize(manager, dataType, p);
        if (shortcut != null) {
            shortcut.initialize(manager, dataType, p);
        }
    }

    /** The pre-activation run on x before branch and shortcut, or null (for writers of other formats). */
    public Block pre() { return pre; }

    public Block branch() { return branch; }

    /** The projection shortcut, or null for the identity. */
    public Block shortcut() { return shortcut; }

    /** Whether a ReLU follows the sum. */
    public boolean reluAfter() { return reluAfter; }

    @Override
    public boolean isActive() { return active; }

    @Override
    public void setActive(boolean active) {
        if (!active && !isDroppable()) {
            throw new IllegalStateException("a residual block that changes the tensor shape cannot be switched off");
        }
        this.active = active;
    }

    @Override
    public float scale() { return scale; }

    @Override
    public void setScale(float scale) { this.scale = scale; }

    @Override
    public boolean isDroppable() { return shortcut == null; }

    @Override
    public int stage() { return stage; }

    @Override
    public List<Parameter> branchParameters() {
        List<Parameter> out = new ArrayList<>();
        for (Block b : pre == null ? List.of(branch) : List.of(pre, branch)) {
            for (var p : b.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    out.add(p.getValue());
                }
            }
        }
        return out;
    }
}
