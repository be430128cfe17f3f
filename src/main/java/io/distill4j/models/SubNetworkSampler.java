package io.distill4j.models;

import io.distill4j.UserError;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws the sub-network a residual network trains on for one step, as a {@link SubNetwork} value.
 *
 * <p>The contract every sampler of this package keeps ({@link StochasticDepthSampler}, {@link StimulativeSampler}
 * and MKF's inherited sampler, methods/mkf/InheritedSampler):
 * <ul>
 *   <li>It reads the network's layout once, when built (how many residual units, which are droppable, their
 *       stages: a {@link Layout}), and never touches the network again: it neither switches branches nor
 *       changes scales. Applying a mask is the caller's business ({@code runtime.Net.use}, a scope that restores
 *       the whole network).</li>
 *   <li>Every random decision comes from the {@link SplittableRandom} the caller passes; the same generator
 *       state gives the same mask. The caller derives that generator from (seed, step) so that a run, and a
 *       run resumed at any step, draws the same sub-networks.</li>
 *   <li>A mask never switches off a unit that is not {@linkplain ResidualUnit#isDroppable() droppable} (a block
 *       whose shortcut changes the tensor shape); those always run, at scale 1.</li>
 *   <li>Depth indices: the residual units are numbered {@code l = 1..L} in forward order, {@code L} being the
 *       number of residual units ({@code Network.residualUnits().size()}, shape-changing blocks included, plain
 *       non-residual blocks such as MobileNetV2's stage heads not counted). Unit index {@code i} (0-based, as in
 *       {@code SubNetwork}) has depth {@code l = i + 1}.</li>
 * </ul>
 * This interface is the stateless kind: one independent draw per step. MKF's inherited sampling depends on the
 * previous step's mask and has its own API (methods/mkf/InheritedSampler).
 */
public interface SubNetworkSampler {
    /** Number of residual units the masks cover ({@code Network.residualUnits().size()}). */
    int size();

    /** The training sub-network of one step, drawn from {@code rng} only. */
    SubNetwork sample(SplittableRandom rng);

    /**
     * What a sampler needs to know of a network, copied out of it: per residual unit (forward order) whether it
     * is droppable and its stage index.
     */
    record Layout(boolean[] droppable, int[] stage) {
        public Layout {
            if (droppable.length != stage.length) {
                throw new IllegalArgumentException("droppable and stage differ in length");
            }
            droppable = droppable.clone();
            stage = stage.clone();
        }

        /**
         * The layout of {@code net}. A network with no droppable residual unit (a VGG, say) is a {@link UserError}
         * naming the architecture and {@code method}: sampling sub-networks of it would always give the whole
         * network.
         */
        public static Layout of(Network net, String method) {
            List<ResidualUnit> units = net.residualUnits();
            boolean[] d = new boolean[units.size()];
            int[] s = new int[units.size()];
            boolean any = false;
            for (int i = 0; i < d.length; i++) {
                d[i] = units.get(i).isDroppable();
                s[i] = units.get(i).stage();
                any |= d[i];
            }
            if (!any) {
                throw new UserError("arch '" + net.arch() + "' has no residual block that can be dropped: " + method
                        + " samples sub-networks of a residual network (resnet{6n+2}[x{k}], wrn-{d}-{k}, mobilenetv2, "
                        + "resnet{18,34,50}-{cifar,imagenet}, mobilenetv3-{small,large}[-cifar])");
            }
            return new Layout(d, s);
        }

        public int size() { return droppable.length; }

        public boolean isDroppable(int unit) { return droppable[unit]; }

        public int stage(int unit) { return stage[unit]; }

        @Override
        public boolean[] droppable() { return droppable.clone(); }

        @Override
        public int[] stage() { return stage.clone(); }

        @Override
        public boolean equals(Object o) {
            return o instanceof Layout l && Arrays.equals(droppable, l.droppable)
                    && Arrays.equals(stage, l.stage);
        }

        @Override
        public int hashCode() { return 31 * Arrays.hashCode(droppable) + Arrays.hashCode(stage); }

        @Override
        public String toString() {
            return "Layout[droppable=" + Arrays.toString(droppable) + ", stage="
                    + Arrays.toString(stage) + "]";
        }

        /** Throws unless {@code sub} covers exactly these units. */
        public void check(SubNetwork sub) {
            if (sub.size() != droppable.length) {
                throw new IllegalArgumentException("the network has " + droppable.length
                        + " residual units, the sub-network " + sub.size());
            }
        }
    }
}
