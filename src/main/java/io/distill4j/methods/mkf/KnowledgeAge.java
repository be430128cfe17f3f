package io.distill4j.methods.mkf;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Stateful;

import java.util.Arrays;

/**
 * When each sample's knowledge of each group was last observed (the global step), so that a method can say how
 * old the knowledge it distils from is: per-sample knowledge is refreshed only when the sample is seen by the
 * network that holds it, which can be epochs apart. Checkpointed, so a resumed run logs the same ages.
 */
public final class KnowledgeAge implements Stateful {
    private final String name;
    private final int samples;
    private final long[] lastStep;

    /** @param name the checkpoint section, e.g. {@code mkf/knowledge_age} */
    public KnowledgeAge(String name, int groups, int samples) {
        this.name = name;
        this.samples = samples;
        this.lastStep = new long[groups * samples];
        Arrays.fill(lastStep, -1);
    }

    /** Sample {@code index}'s group-{@code group} knowledge was updated at {@code step}. */
    public void observed(int group, int index, long step) {
        lastStep[group * samples + index] = step;
    }

    /** The step at which sample {@code index}'s group-{@code group} knowledge was last updated, or -1. */
    public long lastObserved(int group, int index) {
        return lastStep[group * samples + index];
    }

    /**
     * The mean age in steps, at {@code step}, of group {@code group}'s knowledge of the samples whose
     * {@code use} entry is true; for a mixed batch ({@code partners} not null) each sample's age is
     * {@code lam age_a + (1 - lam) age_b}, as its target mixes the two. NaN when no sample is used.
     */
    public double meanAge(int group, int[] indices, int[] partners, float lam, boolean[] use, long step) {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < indices.length; i++) {
            if (!use[i]) {
                continue;
            }
            double a = step - lastObserved(group, indices[i]);
            if (partners != null) {
                a = lam * a + (1 - lam) * (step - lastObserved(group, partners[i]));
            }
            sum += a;
            count++;
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    @Override
    public String stateName() { return name; }

    @Override
    public void save(Checkpoint.Section s) {
        try (NDManager m = NDManager.newBaseManager()) {
            s.putArrays("last_step", new NDList(m.create(lastStep)));
        }
    }

    @Override
    public void load(Checkpoint.Section s, NDManager manager) {
        try (NDManager m = manager.newSubManager()) {
            long[] saved = s.arrays("last_step", m).get(0).toLongArray();
            if (saved.length != lastStep.length) {
                throw new IllegalStateException("checkpoint section " + name + " holds " + saved.length
                        + " entries, the run needs " + lastStep.length);
            }
            System.arraycopy(saved, 0, lastStep, 0, saved.length);
        }
    }
}
