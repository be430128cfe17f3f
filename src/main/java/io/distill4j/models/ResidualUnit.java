package io.distill4j.models;

import ai.djl.nn.Parameter;

import java.util.List;

/**
 * A residual block {@code y = shortcut(x) + branch(x)} whose branch can be switched off for a step
 * (then {@code y = x}). MKF, Stimulative Training and Stochastic Depth sample sub-networks this way.
 * Only shape-preserving blocks (identity shortcut) are droppable.
 */
public interface ResidualUnit {
    /** Whether the branch runs in the next forward passes. */
    boolean isActive();

    /**
     * Switches the branch on or off; throws IllegalStateException when switching off a non-droppable block.
     * Methods never call this: they apply a {@link SubNetwork} in a scope ({@code runtime.Net.use}).
     */
    void setActive(boolean active);

    /** The factor on the branch's output (1 by default). */
    float scale();

    void setScale(float scale);

    /** True when the shortcut is the identity, so the block may become identity. */
    boolean isDroppable();

    /** Index of the stage (group of blocks at one resolution) this block belongs to, from 0. */
    int stage();

    /** The parameters of the branch (they take no part in a step where the branch is off). */
    List<Parameter> branchParameters();
}
