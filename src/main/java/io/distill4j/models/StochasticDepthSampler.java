package io.distill4j.models;

import java.util.SplittableRandom;

/**
 * Stochastic Depth (Huang et al. 2016) with the linear decay rule: residual unit {@code l} (depth index 1..L, see
 * {@link SubNetworkSampler}) survives a training step with probability {@code p_l = 1 - l/L * (1 - p_L)},
 * independently of the others ({@code p_L = 0.5} by default, the paper's choice). Units that change the tensor
 * shape are never dropped: they always run at scale 1 (their effective survival probability is 1), in training
 * and at inference.
 *
 * <p>Two conventions keep a unit's expected contribution equal in training and at inference:
 * <ul>
 *   <li>{@link Convention#SCALE_AT_INFERENCE} (the paper's): a surviving branch runs at scale 1 in training;
 *       at inference every branch runs, droppable unit {@code l} at scale {@code p_l}
 *       ({@link #inference()}). Evaluation must then apply {@link #inference()}: the whole network is not the
 *       trained model.</li>
 *   <li>{@link Convention#INVERTED} (the default; as timm's DropPath and torchvision's StochasticDepth): a
 *       surviving branch runs at scale {@code 1/p_l} in training, and inference is the whole network at scale 1
 *       ({@link #inference()} is {@code SubNetwork.whole}). Evaluation, checkpoints and exported networks need
 *       to know nothing of Stochastic Depth.</li>
 * </ul>
 * Each training draw uses one {@code rng.nextDouble()} per droppable unit, in forward order. Stateless: a mask
 * depends only on the generator given; the network is never touched.
 */
public final class StochasticDepthSampler implements SubNetworkSampler {
    /** How surviving branches are scaled (see the class comment). */
    public enum Convention { SCALE_AT_INFERENCE, INVERTED }

    public static final double DEFAULT_LAST_SURVIVAL = 0.5;
    public static final Convention DEFAULT_CONVENTION = Convention.INVERTED;

    private final Layout layout;
    private final double lastSurvival;
    private final Convention convention;
    private final double[] p;

    /** p_L = 0.5, {@link Convention#INVERTED}. */
    public StochasticDepthSampler(Network net) {
        this(net, DEFAULT_LAST_SURVIVAL, DEFAULT_CONVENTION);
    }

    /** @param lastSurvival p_L, the survival probability of the deepest unit, in (0, 1] */
    public StochasticDepthSampler(Network net, double lastSurvival, Convention convention) {
        this(Layout.of(net, "Stochastic Depth"), lastSurvival, convention);
    }

    public StochasticDepthSampler(Layout layout, double lastSurvival, Convention convention) {
        if (!(lastSurvival > 0 && lastSurvival <= 1)) {
            throw new IllegalArgumentException("Stochastic Depth's p_L must be in (0, 1], got " + lastSurvival);
        }
        if (convention == null) {
            throw new IllegalArgumentException("Stochastic Depth needs a convention");
        }
        this.layout = layout;
        this.lastSurvival = lastSurvival;
        this.convention = convention;
        int n = layout.size();
        this.p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = layout.isDroppable(i) ? survivalProbability(i + 1, n, lastSurvival) : 1;
        }
    }

    /** {@code p_l = 1 - l/L * (1 - p_L)} for depth index {@code l} in 1..L. */
    public static double survivalProbability(int l, int depth, double lastSurvival) {
        if (l < 1 || l > depth) {
            throw new IllegalArgumentException("depth index " + l + " outside 1.." + depth);
        }
        return 1 - (double) l / depth * (1 - lastSurvival);
    }

    public Layout layout() { return layout; }

    @Override
    public int size() { return layout.size(); }

    public double lastSurvival() { return lastSurvival; }

    public Convention convention() { return convention; }

    /** The survival probability of residual unit {@code unit} (0-based) in training: p_l, or 1 if not droppable. */
    public double survivalProbability(int unit) { return p[unit]; }

    /**
     * A training mask: droppable unit {@code l} active with probability p_l; active branches at scale 1
     * ({@link Convention#SCALE_AT_INFERENCE}) or {@code 1/p_l} ({@link Convention#INVERTED}); dropped units carry
     * scale 1 (unused).
     */
    @Override
    public SubNetwork sample(SplittableRandom rng) {
        int n = layout.size();
        boolean[] active = new boolean[n];
        float[] scale = new float[n];
        for (int i = 0; i < n; i++) {
            active[i] = !layout.isDroppable(i) || rng.nextDouble() < p[i];
            scale[i] = active[i] && convention == Convention.INVERTED ? (float) (1 / p[i]) : 1f;
        }
        return new SubNetwork(active, scale);
    }

    /**
     * The network to evaluate: every unit active; at scale p_l ({@link Convention#SCALE_AT_INFERENCE}, 1 for units
     * that cannot be dropped) or the whole network at scale 1 ({@link Convention#INVERTED}).
     */
    public SubNetwork inference() {
        SubNetwork whole = SubNetwork.whole(layout.size());
        if (convention == Convention.INVERTED) {
            return whole;
        }
        float[] scale = new float[layout.size()];
        for (int i = 0; i < scale.length; i++) {
            scale[i] = (float) p[i];
        }
        return new SubNetwork(whole.active(), scale);
    }
}
