package io.distill4j.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Stimulative Training's sub-network rule (Ye et al., NeurIPS 2022; reference code Sunshine-Ye/NIPS22-ST,
 * {@code sample()}: stage depth {@code n_i - choice(range(n_i))}): for every stage {@code i}, keep the first
 * {@code d_i} of the stage's {@code n_i} blocks, {@code d_i} uniform over {@code 1..n_i}, independently per stage;
 * the blocks after them become identity. The first block of a stage, which usually changes the tensor shape, is
 * thus always kept, and every stage keeps at least one block. The sampled network may be the whole network
 * (all {@code d_i = n_i}), as in the reference code.
 *
 * <p>As this project sees it. A stage is the residual units sharing a {@link ResidualUnit#stage()} value, in
 * forward order ({@code n_i} of them); stages without residual units are not sampled. The depth is drawn
 * uniformly over {@code lo_i..n_i}, where {@code lo_i = max(minKept, m_i)} and {@code m_i} is one plus the
 * position in the stage of its last unit that cannot be dropped (0 when all can). With shape-changing units only
 * at the head of a stage, as in every network of {@link ModelRegistry}, {@code m_i <= 1} and this is exactly the
 * rule above; otherwise the lower bound rises so that the kept blocks stay a prefix.
 *
 * <p>{@code minKept} is 1 by default ("at least one block kept"). Networks whose stages open with a plain
 * (non-residual) block that {@code Network.residualUnits()} does not list, such as MobileNetV2's inverted
 * residuals with a stride or a width change, already keep that head block; there {@code minKept = 0} (depth of the
 * residual units uniform over {@code 0..n_i}) reproduces the reference rule counted over all the stage's blocks,
 * while the default never drops a stage's only residual unit.
 *
 * <p>Each draw uses one {@code rng.nextInt} per stage, in stage order. Stateless; the network is never touched.
 */
public final class StimulativeSampler implements SubNetworkSampler {
    private final Layout layout;
    private final int minKept;
    /** Per stage (in order of first appearance), the unit indices of the stage in forward order. */
    private final int[][] stageUnits;
    private final int[] stageIds;
    private final int[] lowest;

    /** At least one block kept per stage. */
    public StimulativeSampler(Network net) {
        this(net, 1);
    }

    /** @param minKept the fewest residual units kept in a stage: 1 (default) or 0 (see the class comment) */
    public StimulativeSampler(Network net, int minKept) {
        this(Layout.of(net, "Stimulative Training"), minKept);
    }

    public StimulativeSampler(Layout layout, int minKept) {
        if (minKept != 0 && minKept != 1) {
            throw new IllegalArgumentException("Stimulative Training keeps at least 0 or 1 block per stage, got "
                    + minKept);
        }
        this.layout = layout;
        this.minKept = minKept;
        Map<Integer, List<Integer>> byStage = new LinkedHashMap<>();
        for (int i = 0; i < layout.size(); i++) {
            byStage.computeIfAbsent(layout.stage(i), s -> new ArrayList<>()).add(i);
        }
        int stages = byStage.size();
        this.stageUnits = new int[stages][];
        this.stageIds = new int[stages];
        this.lowest = new int[stages];
        int s = 0;
        for (var e : byStage.entrySet()) {
            int[] units = e.getValue().stream().mapToInt(Integer::intValue).toArray();
            int mandatory = 0;
            for (int j = 0; j < units.length; j++) {
                if (!layout.isDroppable(units[j])) {
                    mandatory = j + 1;
                }
            }
            stageIds[s] = e.getKey();
            stageUnits[s] = units;
            lowest[s] = Math.max(minKept, mandatory);
            s++;
        }
    }

    public Layout layout() { return layout; }

    @Override
    public int size() { return layout.size(); }

    public int minKept() { return minKept; }

    /** Number of stages that have residual units. */
    public int stages() { return stageUnits.length; }

    /** The {@link ResidualUnit#stage()} value of sampled stage {@code s} (0-based among {@link #stages()}). */
    public int stageId(int s) { return stageIds[s]; }

    /** The unit indices of sampled stage {@code s}, in forward order. */
    public int[] stageUnits(int s) { return stageUnits[s].clone(); }

    /** The fewest units of stage {@code s} a draw keeps: {@code max(minKept, m_s)}. */
    public int minDepth(int s) { return lowest[s]; }

    /** The depths d_i of {@code sub} if it keeps a prefix of every stage; throws otherwise. */
    public int[] depths(SubNetwork sub) {
        layout.check(sub);
        int[] d = new int[stageUnits.length];
        for (int s = 0; s < stageUnits.length; s++) {
            int[] units = stageUnits[s];
            while (d[s] < units.length && sub.isActive(units[d[s]])) {
                d[s]++;
            }
            for (int j = d[s]; j < units.length; j++) {
                if (sub.isActive(units[j])) {
                    throw new IllegalArgumentException("stage " + stageIds[s] + " of " + sub
                            + " does not keep a prefix of its blocks");
                }
            }
        }
        return d;
    }

    /** The sub-network keeping the first {@code depths[i]} units of every stage, all at scale 1. */
    public SubNetwork keeping(int[] depths) {
        if (depths.length != stageUnits.length) {
            throw new IllegalArgumentException(stageUnits.length + " stages, " + depths.length + " depths");
        }
        boolean[] active = new boolean[layout.size()];
        for (int s = 0; s < depths.length; s++) {
            int[] units = stageUnits[s];
            if (depths[s] < lowest[s] || depths[s] > units.length) {
                throw new IllegalArgumentException("stage " + stageIds[s] + " keeps " + lowest[s] + ".."
                        + units.length + " blocks, not " + depths[s]);
            }
            for (int j = 0; j < depths[s]; j++) {
                active[units[j]] = true;
            }
        }
        SubNetwork whole = SubNetwork.whole(layout.size());
        return new SubNetwork(active, whole.scale());
    }

    /** A training sub-network: per stage, d_i uniform over {@code minDepth(i)..n_i}; kept units at scale 1. */
    @Override
    public SubNetwork sample(SplittableRandom rng) {
        int[] d = new int[stageUnits.length];
        for (int s = 0; s < d.length; s++) {
            d[s] = lowest[s] + rng.nextInt(stageUnits[s].length - lowest[s] + 1);
        }
        return keeping(d);
    }
}
