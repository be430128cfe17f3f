package io.distill4j.methods.terms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.UserError;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Stateful;
import io.distill4j.util.HostArrays;

import java.util.SplittableRandom;

/**
 * CRD's memory (Tian et al., ICLR 2020; docs/methods.md section 12): one embedding per training sample for
 * each side, the student's ({@link #STUDENT}) and the teacher's ({@link #TEACHER}), and the constant Z that
 * normalises each side's scores. The embeddings start uniform in {@code [-s, s]}, {@code s = 1 / sqrt(dim / 3)},
 * from the run's seed; after each step the rows of the batch's samples move to the batch's embeddings:
 * {@code m_i <- normalise(momentum m_i + (1 - momentum) v_i)}. Z is set once, at the first step:
 * {@code Z = mean(exp(scores / T)) * samples}, and then kept.
 *
 * <p>Negatives ({@link #sample}): for each sample, {@code k} other training samples of other classes, drawn
 * without replacement (the reference's "exact" mode), from a generator the caller derives from (seed, step), so a
 * resumed run draws the same ones. The whole memory and both constants are saved in checkpoints.
 */
public final class ContrastMemory implements Stateful {
    public static final int STUDENT = 0;
    public static final int TEACHER = 1;

    private final String name;
    private final int samples;
    private final int dim;
    private final double momentum;
    private final float[][] rows = new float[2][];
    private final float[] z = {Float.NaN, Float.NaN};
    private final int[] labels;
    private final int[][] others; // per class: the samples of every other class

    /**
     * @param labels every training sample's class (the samples are the dataset's indices)
     * @param seed   where the initial embeddings come from
     */
    public ContrastMemory(String name, int[] labels, int classes, int dim, double momentum, long seed) {
        this.name = name;
        this.samples = labels.length;
        this.dim = dim;
        this.momentum = momentum;
        this.labels = labels.clone();
        SplittableRandom rng = new SplittableRandom(seed);
        double s = 1 / Math.sqrt(dim / 3.0);
        for (int side = 0; side < 2; side++) {
            rows[side] = new float[samples * dim];
            for (int i = 0; i < rows[side].length; i++) {
                rows[side][i] = (float) (rng.nextDouble() * 2 * s - s);
            }
        }
        int[] count = new int[classes];
        for (int y : labels) {
            count[y]++;
        }
        others = new int[classes][];
        for (int c = 0; c < classes; c++) {
            others[c] = new int[samples - count[c]];
            int j = 0;
            for (int i = 0; i < samples; i++) {
                if (labels[i] != c) {
                    others[c][j++] = i;
                }
            }
        }
    }

    /** The fewest negatives any sample can draw without replacement: the samples outside the largest class. */
    public static int negativesAvailable(int[] labels, int classes) {
        int[] count = new int[classes];
        int largest = 0;
        for (int y : labels) {
            largest = Math.max(largest, ++count[y]);
        }
        return labels.length - largest;
    }

    public int samples() { return samples; }

    public int dim() { return dim; }

    /**
     * For each of {@code indices}: itself, then {@code k} samples of other classes drawn without replacement
     * (a partial Fisher-Yates shuffle of that class's pool, undone afterwards so the draw depends on {@code rng}
     * alone). Row-major (indices.length, 1 + k).
     */
    public long[] sample(int[] indices, int k, SplittableRandom rng) {
        long[] out = new long[indices.length * (k + 1)];
        int[] swapped = new int[k];
        for (int b = 0; b < indices.length; b++) {
            int[] pool = others[labels[indices[b]]];
            if (k > pool.length) {
                throw new IllegalArgumentException(k + " negatives asked, " + pool.length + " available");
            }
            out[b * (k + 1)] = indices[b];
            for (int j = 0; j < k; j++) {
                int r = j + rng.nextInt(pool.length - j);
                swapped[j] = r;
                int tmp = pool[j];
                pool[j] = pool[r];
                pool[r] = tmp;
                out[b * (k + 1) + 1 + j] = pool[j];
            }
            for (int j = k - 1; j >= 0; j--) { // undo, last swap first
                int r = swapped[j];
                int tmp = pool[j];
                pool[j] = pool[r];
                pool[r] = tmp;
            }
        }
        return out;
    }

    /** One side's memory as a (samples, dim) array. */
    public NDArray memory(NDManager m, int side) {
        return HostArrays.floats(m, rows[side], new Shape(samples, dim));
    }

    /** A copy of one sample's row of one side. */
    public float[] row(int side, int sample) {
        float[] r = new float[dim];
        System.arraycopy(rows[side], sample * dim, r, 0, dim);
        return r;
    }

    /** The normalising constant of one side; set from {@code firstValue} the first time it is asked for. */
    public float normalizer(int side, float firstValue) {
        if (Float.isNaN(z[side])) {
            z[side] = firstValue;
        }
        return z[side];
    }

    /** Moves the rows of {@code indices} of one side toward {@code embeddings} (row-major, indices.length x dim). */
    public void update(int side, int[] indices, float[] embeddings) {
        float[] mem = rows[side];
        for (int b = 0; b < indices.length; b++) {
            int at = indices[b] * dim;
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                float v = (float) (momentum * mem[at + d] + (1 - momentum) * embeddings[b * dim + d]);
                mem[at + d] = v;
                norm += (double) v * v;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int d = 0; d < dim; d++) {
                mem[at + d] *= inv;
            }
        }
    }

    @Override
    public String stateName() { return name; }

    @Override
    public void save(Checkpoint.Section s) {
        s.values().addProperty("samples", samples);
        s.values().addProperty("dim", dim);
        try (NDManager m = NDManager.newBaseManager()) {
            s.putArrays("memory", new NDList(memory(m, STUDENT), memory(m, TEACHER), m.create(z)));
        }
    }

    @Override
    public void load(Checkpoint.Section s, NDManager manager) {
        int n = s.require("samples").getAsInt();
        int d = s.require("dim").getAsInt();
        if (n != samples || d != dim) {
            throw new UserError(s.origin() + ": state '" + name + "' holds " + n + " embeddings of "
                    + d + ", this run has " + samples + " of " + dim);
        }
        try (NDManager m = manager.newSubManager()) {
            NDList l = s.arrays("memory", m);
            rows[STUDENT] = l.get(0).toFloatArray();
            rows[TEACHER] = l.get(1).toFloatArray();
            float[] saved = l.get(2).toFloatArray();
            z[0] = saved[0];
            z[1] = saved[1];
        }
    }
}
