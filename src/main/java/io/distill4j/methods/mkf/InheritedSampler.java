package io.distill4j.methods.mkf;

import io.distill4j.models.Network;
import io.distill4j.models.SubNetwork;
import io.distill4j.models.SubNetworkSampler;

import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.LongFunction;

/**
 * MKF's inherited sampling over {@code T} groups (docs/methods.md section 6). Training runs in cycles of {@code T}
 * steps: the first step of a cycle trains the whole network (group 1); step {@code t > 1} of the cycle trains
 * {@code D_t = Phi(D_{t-1})}, drawn from the previous step's sub-network, so the active sets nest
 * ({@code D_1 ⊇ D_2 ⊇ ... ⊇ D_T}) and the position in the cycle is the group. After {@code T} steps sampling
 * restarts from the whole network.
 *
 * <p>{@code Phi} drops each still-active droppable unit independently with probability
 * {@code q_l = q_max * exp(k * (l/L - 1))} ({@code l = 1..L} the unit's depth index among the {@code L} residual
 * units; later blocks drop more; defaults {@code q_max = 0.5, k = 3}, a reconstruction: the article says only
 * "exponential"). A dropped unit stays dropped for the rest of the cycle; units that change the tensor shape are
 * never dropped. Hence after {@code Phi} has been applied {@code t - 1} times, unit {@code l} is off with
 * probability {@code 1 - (1 - q_l)^(t-1)}.
 *
 * <p>Steps are the trainer's global steps, counted from 0: step {@code s} is in group {@code (s mod T) + 1}.
 *
 * <p>State. {@code D_t} depends on the random draws of the earlier steps of its cycle, so a step's mask is not a
 * function of that step's generator alone. Two ways to use this class, giving the same masks:
 * <ul>
 *   <li>explicit state, {@link #next(long, SubNetwork, SplittableRandom)}: the caller keeps the previous step's
 *       mask (the only state across steps; it must be checkpointed with the run when a run can stop
 *       mid-cycle) and passes this step's generator;</li>
 *   <li>stateless, {@link #at(long, LongFunction)}: the caller passes the function {@code step -> generator}
 *       it derives generators with (from seed and step); the sampler replays the cycle from its first step, at
 *       most {@code T - 1} applications of {@code Phi}. Nothing to checkpoint.</li>
 * </ul>
 * {@code at(s, rngAt)} equals the chain {@code next(s, next(s - 1, ..., rngAt(s - 1)), rngAt(s))} started at the
 * cycle's first step. The sampler itself holds no mutable state and never touches the network.
 */
public final class InheritedSampler {
    public static final int DEFAULT_GROUPS = 3;
    public static final double DEFAULT_Q_MAX = 0.5;
    public static final double DEFAULT_K = 3;

    private final SubNetworkSampler.Layout layout;
    private final int groups;
    private final double qMax;
    private final double k;
    private final double[] q;

    /** T = 3 groups, q_max = 0.5, k = 3. */
    public InheritedSampler(Network net) {
        this(net, DEFAULT_GROUPS, DEFAULT_Q_MAX, DEFAULT_K);
    }

    /**
     * @param groups T >= 1 (T = 1: always the whole network)
     * @param qMax   the drop probability of the deepest unit, in [0, 1]
     * @param k      the growth rate of the drop probability with depth, finite and >= 0 (0: every droppable unit
     *               drops with q_max)
     */
    public InheritedSampler(Network net, int groups, double qMax, double k) {
        this(SubNetworkSampler.Layout.of(net, "MKF's inherited sampling"), groups, qMax, k);
    }

    public InheritedSampler(SubNetworkSampler.Layout layout, int groups, double qMax, double k) {
        if (groups < 1) {
            throw new IllegalArgumentException("MKF needs at least one group, got " + groups);
        }
        if (!(qMax >= 0 && qMax <= 1)) {
            throw new IllegalArgumentException("q_max must be in [0, 1], got " + qMax);
        }
        if (!(k >= 0) || Double.isInfinite(k)) {
            throw new IllegalArgumentException("k must be finite and >= 0 (later blocks drop more), got " + k);
        }
        this.layout = layout;
        this.groups = groups;
        this.qMax = qMax;
        this.k = k;
        int n = layout.size();
        this.q = new double[n];
        for (int i = 0; i < n; i++) {
            q[i] = layout.isDroppable(i) ? dropProbability(i + 1, n, qMax, k) : 0;
        }
    }

    /** {@code q_l = q_max * exp(k * (l/L - 1))} for depth index {@code l} in 1..L. */
    public static double dropProbability(int l, int depth, double qMax, double k) {
        if (l < 1 || l > depth) {
            throw new IllegalArgumentException("depth index " + l + " outside 1.." + depth);
        }
        return qMax * Math.exp(k * ((double) l / depth - 1));
    }

    public SubNetworkSampler.Layout layout() { return layout; }

    public int size() { return layout.size(); }

    /** T, the number of groups and the length of a cycle in steps. */
    public int groups() { return groups; }

    public double qMax() { return qMax; }

    public double k() { return k; }

    /** The probability that {@code Phi} drops residual unit {@code unit} (0-based) if active: q_l, or 0 if not droppable. */
    public double dropProbability(int unit) { return q[unit]; }

    /** The group (1..T) of global step {@code step} (0-based): {@code (step mod T) + 1}. */
    public int group(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("steps count from 0, got " + step);
        }
        return (int) (step % groups) + 1;
    }

    /** True when {@code step} starts a cycle (group 1: the whole network). */
    public boolean startsCycle(long step) { return group(step) == 1; }

    /**
     * One application of {@code Phi}: each unit active in {@code previous} and droppable is switched off with
     * probability q_l (one {@code rng.nextDouble()} per such unit, in forward order); every other unit keeps its
     * state, and every scale is kept.
     */
    public SubNetwork phi(SubNetwork previous, SplittableRandom rng) {
        layout.check(previous);
        boolean[] active = previous.active();
        for (int i = 0; i < active.length; i++) {
            if (!layout.isDroppable(i)) {
                if (!active[i]) {
                    throw new IllegalArgumentException("residual unit " + i + " changes the tensor shape and cannot"
                            + " be dropped, but the previous sub-network drops it");
                }
                continue;
            }
            if (active[i] && rng.nextDouble() < q[i]) {
                active[i] = false;
            }
        }
        return new SubNetwork(active, previous.scale());
    }

    /**
     * The sub-network of {@code step}, with the state explicit: the whole network in group 1 ({@code previous}
     * is then ignored and may be null, {@code rng} is not used); otherwise {@code Phi(previous)} drawn from
     * {@code rng}, where {@code previous} must be what this method returned for {@code step - 1}.
     */
    public SubNetwork next(long step, SubNetwork previous, SplittableRandom rng) {
        if (startsCycle(step)) {
            return SubNetwork.whole(layout.size());
        }
        Objects.requireNonNull(previous, () -> "step " + step + " is in group " + group(step)
                + ": it needs the previous step's sub-network");
        return phi(previous, rng);
    }

    /**
     * The sub-network of {@code step}, statelessly: replays the cycle from its first step, drawing step
     * {@code s}'s {@code Phi} from {@code rngAt.apply(s)}. Equal to chaining {@link #next} with the same generators.
     */
    public SubNetwork at(long step, LongFunction<SplittableRandom> rngAt) {
        long first = step - (group(step) - 1);
        SubNetwork sub = SubNetwork.whole(layout.size());
        for (long s = first + 1; s <= step; s++) {
            sub = phi(sub, rngAt.apply(s));
        }
        return sub;
    }
}
