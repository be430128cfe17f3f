package io.distill4j.models;

import java.util.Arrays;
import java.util.List;

/**
 * A sub-network of a residual network as a value: which residual branches run, and the scale applied to each
 * running branch's output ({@code y = shortcut(x) + scale * branch(x)}; Stochastic Depth scales branches by
 * their survival probability at inference). Applied only inside a scope ({@code runtime.Net.use}) that
 * restores the whole network when it closes, so a network can never be left with branches switched off.
 */
public record SubNetwork(boolean[] active, float[] scale) {
    public SubNetwork {
        if (active.length != scale.length) {
            throw new IllegalArgumentException("active and scale differ in length");
        }
        active = active.clone();
        scale = scale.clone();
    }

    /** Every branch on at scale 1: the whole network. */
    public static SubNetwork whole(int units) {
        boolean[] a = new boolean[units];
        Arrays.fill(a, true);
        float[] s = new float[units];
        Arrays.fill(s, 1f);
        return new SubNetwork(a, s);
    }

    /** The whole network but the given residual units (indices into {@code Network.residualUnits()}). */
    public static SubNetwork dropping(int units, List<Integer> dropped) {
        boolean[] a = whole(units).active();
        for (int i : dropped) {
            a[i] = false;
        }
        return new SubNetwork(a, whole(units).scale());
    }

    public int size() { return active.length; }

    public boolean isActive(int unit) { return active[unit]; }

    public float scale(int unit) { return scale[unit]; }

    @Override
    public boolean[] active() { return active.clone(); }

    @Override
    public float[] scale() { return scale.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof SubNetwork s && Arrays.equals(active, s.active) && Arrays.equals(scale, s.scale);
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(active) + Arrays.hashCode(scale); }

    @Override
    public String toString() { return "SubNetwork" + Arrays.toString(active); }
}
