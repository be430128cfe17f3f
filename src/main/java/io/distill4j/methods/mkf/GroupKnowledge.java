package io.distill4j.methods.mkf;

import ai.djl.ndarray.NDManager;
import io.distill4j.UserError;
import io.distill4j.knowledge.Float16;
import io.distill4j.knowledge.TopK;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Stateful;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.Locale;

/**
 * MKF's group knowledge (docs/methods.md section 6): for every training sample {@code I} (its dataset index,
 * {@code 0..samples-1}) and group {@code t} ({@code 0..groups-1}) a probability vector {@code K^t_I} over the
 * classes, updated by the EMA {@code K := a * p + (1 - a) * K} ({@code a = 0.5} by default). The first observation
 * of a (sample, group) initialises {@code K := p}; an entry never observed has no knowledge, and lookups say so.
 *
 * <h2>Modes</h2>
 * <ul>
 *   <li>{@link Mode#DENSE}: the whole vector, in fp32 or fp16 ({@link Float16}: relative precision 2^-11, values
 *   up to 2^-25 = 3e-8 round to 0). The EMA is computed in fp32 from the stored (decoded) value and rounded once when
 *   stored.</li>
 *   <li>{@link Mode#TOPK}: per entry the {@code k} largest probabilities (fp32 or fp16) with their class indices
 *   ({@code short} when there are at most 32767 classes, else {@code int}), sorted by decreasing value (ties: the
 *   lower class first). Read back, the residual mass {@code 1 - sum(top-k)} is spread uniformly over the other
 *   {@code classes - k} classes, so the vector sums to 1; when the stored top-k values sum to more than 1 (fp16
 *   rounding, or an input that did not sum to 1) or {@code k = classes}, they are divided by their sum instead and
 *   the other classes get 0. An update computes the EMA on this reconstruction and re-encodes the result's top-k.
 *   <b>The approximation:</b> a class outside the stored top-k counts with the uniform residual share, not its
 *   true old value, so the tail of the distribution is flattened at every update and a class can enter the top-k
 *   only through its new probability {@code a * p_c} plus {@code (1 - a)} times that share. While the top-k classes
 *   stay the same, their values follow the dense EMA exactly (up to fp16 rounding); what is lost is the shape of the
 *   tail, which carries only the residual mass.</li>
 * </ul>
 *
 * <h2>Memory</h2>
 * {@link #bytes} is the exact size of the stored elements (the primitive arrays' contents; the ~16-byte headers of
 * the arrays are not counted) and equals {@link #bytesFor}: values {@code samples * groups * w * (2 or 4)} with
 * {@code w = classes} (dense) or {@code k} (top-k), plus top-k indices {@code samples * groups * k * (2 or 4)},
 * plus the observed flags, one bit per entry in 64-bit words per group ({@code groups * ceil(samples / 64) * 8}).
 * With 3 groups:
 * <table>
 *   <caption>Bytes by mode (computed by {@link #bytesFor}; 1 MB = 10^6 bytes)</caption>
 *   <tr><th>mode</th><th>CIFAR-100 (50,000 x 100)</th><th>ImageNet-1k (1,281,167 x 1000)</th></tr>
 *   <tr><td>dense fp32</td><td>60,018,768 (60.0 MB)</td><td>15,374,484,456 (15.4 GB)</td></tr>
 *   <tr><td>dense fp16</td><td>30,018,768 (30.0 MB)</td><td>7,687,482,456 (7.7 GB)</td></tr>
 *   <tr><td>top-k, k = 5, fp16 values</td><td>3,018,768 (3.0 MB)</td><td>77,350,476 (77.4 MB)</td></tr>
 *   <tr><td>top-k, k = 10, fp16 values</td><td>6,018,768 (6.0 MB)</td><td>154,220,496 (154.2 MB)</td></tr>
 *   <tr><td>top-k, k = 5, fp32 values</td><td>4,518,768 (4.5 MB)</td><td>115,785,486 (115.8 MB)</td></tr>
 *   <tr><td>top-k, k = 10, fp32 values</td><td>9,018,768 (9.0 MB)</td><td>231,090,516 (231.1 MB)</td></tr>
 * </table>
 * A checkpoint holds the same bytes again (in memory while it is written, then on disk), so the dense modes do not
 * suit ImageNet-size data.
 *
 * <h2>Storage</h2>
 * Java primitive arrays on the heap (no native memory). A Java array holds at most 2^31 - 1 elements and dense fp32
 * ImageNet needs 3.8e9, so the entries (row {@code group * samples + index}, {@code w} elements each) lie in blocks
 * of whole rows, about 2^24 elements per block (64 MB of fp32), the last block only as long as needed.
 *
 * <h2>Checkpoint</h2>
 * Saved into its section (shape and mode as values; the observed flags, the value blocks and the index blocks as
 * arrays, one blob per block) and restored bit for bit. Restoring into a store of another shape or mode is a one-line
 * {@link UserError} naming the checkpoint. The section's layout is {@link GroupKnowledgeCheckpoint}'s, which reads
 * and fills the storage fields below directly.
 *
 * <p>Not thread-safe: updates and lookups use scratch buffers of the store.
 */
public final class GroupKnowledge implements Stateful {
    /** How an entry is stored. */
    public enum Mode {
        /** The whole probability vector. */
        DENSE,
        /** The k largest probabilities and their classes; the rest spread uniformly. */
        TOPK;

        /** The name used in checkpoints and descriptions: {@code dense}, {@code topk}. */
        public String key() { return name().toLowerCase(Locale.ROOT); }
    }

    /** The default EMA weight of a new observation. */
    public static final double DEFAULT_ALPHA = 0.5;
    /** Elements per storage block by default: 2^24. */
    static final int DEFAULT_BLOCK_ELEMENTS = 1 << 24;

    private final String name;
    private final int samples;
    private final int classes;
    private final int groups;
    private final Mode mode;
    private final int k;
    private final boolean half;
    private final float alpha;
    private final float keep;

    // storage, package-private for GroupKnowledgeCheckpoint (which fills the arrays when it restores a checkpoint)
    /** Class indices in {@code int} rather than {@code short}: more than 32767 classes. */
    final boolean wideIndices;
    /** Elements per row: classes (dense) or k (top-k). */
    final int width;
    /** Rows per block (the last block may hold fewer), and rows in all: {@code samples * groups}. */
    final int rowsPerBlock;
    final long rows;
    /** Values, one array per block: {@code f16} when {@code half}, else {@code f32}. */
    final float[][] f32;
    final short[][] f16;
    /** Top-k class indices, one array per block: {@code idx32} when there are more than 32767 classes. */
    final short[][] idx16;
    final int[][] idx32;
    /** Per group, one bit per sample: observed at least once. */
    final long[][] observed;

    // scratch for updates and lookups
    private final float[] vector;
    private final int[] topClasses;

    /** A dense store with the default EMA weight 0.5. */
    public static GroupKnowledge dense(String name, int samples, int classes, int groups, boolean half) {
        return new GroupKnowledge(name, samples, classes, groups, Mode.DENSE, 0, half, DEFAULT_ALPHA);
    }

    /** A top-k store with the default EMA weight 0.5. */
    public static GroupKnowledge topK(String name, int samples, int classes, int groups, int k, boolean half) {
        return new GroupKnowledge(name, samples, classes, groups, Mode.TOPK, k, half, DEFAULT_ALPHA);
    }

    /**
     * @param name    the checkpoint section, e.g. {@code mkf/group_knowledge}
     * @param samples training samples (dataset indices {@code 0..samples-1})
     * @param classes length of a probability vector
     * @param groups  groups (MKF's T)
     * @param mode    how entries are stored
     * @param k       top-k entries kept, {@code 1..classes}; ignored for {@link Mode#DENSE}
     * @param half    values in fp16 rather than fp32
     * @param alpha   EMA weight of a new observation, in (0, 1]
     */
    GroupKnowledge(String name, int samples, int classes, int groups, Mode mode, int k, boolean half,
                          double alpha) {
        this(name, samples, classes, groups, mode, k, half, alpha, DEFAULT_BLOCK_ELEMENTS);
    }

    /** As above with the block size in elements (a test hook: small blocks exercise the chunking). */
    GroupKnowledge(String name, int samples, int classes, int groups, Mode mode, int k, boolean half,
                   double alpha, int blockElements) {
        checkShape(samples, classes, groups, mode, k);
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("EMA weight " + alpha + " is not in (0, 1]");
        }
        if (blockElements < 1) {
            throw new IllegalArgumentException("block size " + blockElements);
        }
        this.name = name;
        this.samples = samples;
        this.classes = classes;
        this.groups = groups;
        this.mode = mode;
        this.k = mode == Mode.DENSE ? 0 : k;
        this.half = half;
        this.wideIndices = classes > Short.MAX_VALUE;
        this.alpha = (float) alpha;
        this.keep = 1f - this.alpha;
        this.width = mode == Mode.DENSE ? classes : k;
        this.rows = (long) samples * groups;
        this.rowsPerBlock = (int) Math.min(rows, Math.max(1, blockElements / width));
        int blocks = Math.toIntExact((rows + rowsPerBlock - 1) / rowsPerBlock);
        f32 = half ? null : new float[blocks][];
        f16 = half ? new short[blocks][] : null;
        boolean topk = mode == Mode.TOPK;
        idx16 = topk && !wideIndices ? new short[blocks][] : null;
        idx32 = topk && wideIndices ? new int[blocks][] : null;
        for (int b = 0; b < blocks; b++) {
            int len = blockLength(b, rowsPerBlock);
            if (half) {
                f16[b] = new short[len];
            } else {
                f32[b] = new float[len];
            }
            if (idx16 != null) {
                idx16[b] = new short[len];
            } else if (idx32 != null) {
                idx32[b] = new int[len];
            }
        }
        observed = new long[groups][words(samples)];
        vector = new float[classes];
        topClasses = new int[topk ? k : 0];
    }

    private static void checkShape(long samples, long classes, long groups, Mode mode, int k) {
        if (samples < 1 || classes < 1 || groups < 1) {
            throw new IllegalArgumentException("group knowledge of " + samples + " samples, " + classes
                    + " classes, " + groups + " groups");
        }
        if (mode == Mode.TOPK && (k < 1 || k > classes)) {
            throw new IllegalArgumentException("top-k with k = " + k + " for " + classes + " classes (k must be in 1.."
                    + classes + ")");
        }
    }

    private static int words(long samples) { return Math.toIntExact((samples + 63) / 64); }

    /** Elements in block {@code b} for blocks of {@code perBlock} rows. */
    int blockLength(int b, int perBlock) {
        return (int) (Math.min(perBlock, rows - (long) b * perBlock) * width);
    }

    /**
     * The bytes a store of this shape and mode takes (see the class comment), without building it: values, top-k
     * indices ({@code short} for at most 32767 classes) and observed flags. {@code k} is ignored for
     * {@link Mode#DENSE}.
     */
    public static long bytesFor(long samples, long classes, long groups, Mode mode, int k, boolean half) {
        checkShape(samples, classes, groups, mode, k);
        long entries = samples * groups;
        long values = entries * (mode == Mode.DENSE ? classes : k) * (half ? 2 : 4);
        long indices = mode == Mode.DENSE ? 0 : entries * k * (classes > Short.MAX_VALUE ? 4 : 2);
        long flags = groups * ((samples + 63) / 64) * 8;
        return values + indices + flags;
    }

    /** The exact bytes of this store's elements (equal to {@link #bytesFor} of its shape and mode). */
    public long bytes() {
        long total = 0;
        for (Object[] blocks : new Object[][] {f32, f16, idx16, idx32}) {
            if (blocks != null) {
                for (Object block : blocks) {
                    total += (long) Array.getLength(block) * elementBytes(block);
                }
            }
        }
        for (long[] words : observed) {
            total += words.length * 8L;
        }
        return total;
    }

    private static int elementBytes(Object array) {
        return array instanceof short[] ? 2 : 4;
    }

    public int samples() { return samples; }

    public int classes() { return classes; }

    public int groups() { return groups; }

    public Mode mode() { return mode; }

    /** Entries kept per vector in {@link Mode#TOPK}; 0 for dense. */
    public int k() { return k; }

    public boolean half() { return half; }

    public double alpha() { return alpha; }

    /** Storage blocks (each holds whole rows); for tests of the chunking. */
    int blocks() { return half ? f16.length : f32.length; }

    /** For logs: mode, precision and shape, e.g. {@code topk k=5 fp16, 50000 samples x 3 groups x 100 classes}. */
    public String describe() {
        return describe(mode.key(), k, half, samples, groups, classes);
    }

    /** What {@link #describe()} says of a store of this mode, precision and shape (a checkpoint's, say). */
    static String describe(String mode, int k, boolean half, long samples, long groups, long classes) {
        return mode + (mode.equals(Mode.TOPK.key()) ? " k=" + k : "") + (half ? " fp16" : " fp32") + ", "
                + samples + " samples x " + groups + " groups x " + classes + " classes";
    }

    @Override
    public String toString() { return "GroupKnowledge(" + describe() + ", " + bytes() + " bytes)"; }

    // ---------------------------------------------------------------------------------------------- observed flags

    /** Whether sample {@code index} has been observed in group {@code group}. */
    public boolean observed(int group, int index) {
        checkEntry(group, index);
        return (observed[group][index >>> 6] & (1L << index)) != 0;
    }

    /** Samples observed at least once in {@code group}. */
    public long observedCount(int group) {
        checkEntry(group, 0);
        long n = 0;
        for (long w : observed[group]) {
            n += Long.bitCount(w);
        }
        return n;
    }

    private void markObserved(int group, int index) { observed[group][index >>> 6] |= 1L << index; }

    private void checkEntry(int group, int index) {
        if (group < 0 || group >= groups) {
            throw new IndexOutOfBoundsException("group " + group + " of " + groups);
        }
        if (index < 0 || index >= samples) {
            throw new IndexOutOfBoundsException("sample " + index + " of " + samples);
        }
    }

    // ------------------------------------------------------------------------------------------------------ update

    /**
     * Updates the knowledge of a batch in {@code group}: row {@code i} of {@code probs} ({@code n * classes},
     * row-major) is the new observation of sample {@code indices[i]}. Rows are applied in order, so a sample that
     * appears twice in a batch gets two EMA steps.
     */
    public void update(int group, int[] indices, float[] probs) {
        if (probs.length != (long) indices.length * classes) {
            throw new IllegalArgumentException(probs.length + " probabilities for " + indices.length + " samples of "
                    + classes + " classes");
        }
        for (int i = 0; i < indices.length; i++) {
            update(group, indices[i], probs, i * classes);
        }
    }

    /** Updates one entry with the observation {@code probs[offset .. offset + classes)}. */
    public void update(int group, int index, float[] probs, int offset) {
        checkEntry(group, index);
        for (int c = 0; c < classes; c++) {
            if (!Float.isFinite(probs[offset + c])) {
                throw new IllegalArgumentException("non-finite probability " + probs[offset + c] + " for sample "
                        + index + ", class " + c + ", group " + group);
            }
        }
        boolean seen = observed(group, index);
        long row = (long) group * samples + index;
        int b = (int) (row / rowsPerBlock);
        int at = (int) (row % rowsPerBlock) * width;
        if (mode == Mode.DENSE) {
            for (int c = 0; c < classes; c++) {
                float p = probs[offset + c];
                setValue(b, at + c, seen ? alpha * p + keep * value(b, at + c) : p);
            }
        } else {
            if (seen) {
                reconstruct(b, at, vector, 0);
                for (int c = 0; c < classes; c++) {
                    vector[c] = alpha * probs[offset + c] + keep * vector[c];
                }
            } else {
                System.arraycopy(probs, offset, vector, 0, classes);
            }
            encode(vector, b, at);
        }
        markObserved(group, index);
    }

    private float value(int b, int i) { return half ? Float16.toFloat(f16[b][i]) : f32[b][i]; }

    private void setValue(int b, int i, float v) {
        if (half) {
            f16[b][i] = Float16.toHalf(v);
        } else {
            f32[b][i] = v;
        }
    }

    private int classAt(int b, int i) { return wideIndices ? idx32[b][i] : idx16[b][i]; }

    /** Stores the k largest entries of {@code p}, in {@link TopK}'s order, at {@code (b, at)}. */
    private void encode(float[] p, int b, int at) {
        TopK.select(p, 0, classes, k, topClasses);
        for (int j = 0; j < k; j++) {
            setValue(b, at + j, p[topClasses[j]]);
            if (wideIndices) {
                idx32[b][at + j] = topClasses[j];
            } else {
                idx16[b][at + j] = (short) topClasses[j];
            }
        }
    }

    /** The vector stored at {@code (b, at)} into {@code out[offset .. offset + classes)}. */
    private void reconstruct(int b, int at, float[] out, int offset) {
        if (mode == Mode.DENSE) {
            if (half) {
                for (int c = 0; c < classes; c++) {
                    out[offset + c] = Float16.toFloat(f16[b][at + c]);
                }
            } else {
                System.arraycopy(f32[b], at, out, offset, classes);
            }
            return;
        }
        float sum = 0;
        for (int j = 0; j < k; j++) {
            sum += value(b, at + j);
        }
        if (k < classes && sum <= 1f) {
            Arrays.fill(out, offset, offset + classes, (1f - sum) / (classes - k));
            for (int j = 0; j < k; j++) {
                out[offset + classAt(b, at + j)] = value(b, at + j);
            }
        } else {
            float scale = sum > 0 ? 1f / sum : 1f;
            Arrays.fill(out, offset, offset + classes, 0f);
            for (int j = 0; j < k; j++) {
                out[offset + classAt(b, at + j)] = value(b, at + j) * scale;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------ lookup

    /**
     * The knowledge of a batch in {@code group}: {@code indices.length * classes} values, row-major, or
     * {@code null} when any of the samples has never been observed in that group (see the other lookup for a
     * partial answer).
     */
    public float[] lookup(int group, int[] indices) {
        float[] out = new float[indices.length * classes];
        return lookup(group, indices, out, null) == indices.length ? out : null;
    }

    /**
     * Fills {@code out} ({@code indices.length * classes}, row-major) with the knowledge of a batch in
     * {@code group}, and {@code observed} (when not null, {@code indices.length}) with whether each sample has been
     * observed. A never-observed sample's row is all zeros (as a target of {@code KL(K || p)} it then contributes
     * nothing). Returns the number of observed samples.
     */
    public int lookup(int group, int[] indices, float[] out, boolean[] observed) {
        if (out.length != (long) indices.length * classes || observed != null && observed.length != indices.length) {
            throw new IllegalArgumentException("lookup of " + indices.length + " samples of " + classes
                    + " classes into " + out.length + " values" + (observed == null ? "" : " and "
                    + observed.length + " flags"));
        }
        int seen = 0;
        for (int i = 0; i < indices.length; i++) {
            boolean has = observed(group, indices[i]);
            if (has) {
                long row = (long) group * samples + indices[i];
                reconstruct((int) (row / rowsPerBlock), (int) (row % rowsPerBlock) * width, out, i * classes);
                seen++;
            } else {
                Arrays.fill(out, i * classes, (i + 1) * classes, 0f);
            }
            if (observed != null) {
                observed[i] = has;
            }
        }
        return seen;
    }

    // -------------------------------------------------------------------------------------------------- checkpoint

    @Override
    public String stateName() { return name; }

    /** Writes the store into its section; the layout is {@link GroupKnowledgeCheckpoint}'s. */
    @Override
    public void save(Checkpoint.Section s) { new GroupKnowledgeCheckpoint(this).save(s); }

    /**
     * Restores what {@link #save} wrote, bit for bit, whatever block size either store uses. A checkpoint of another
     * shape or mode is a one-line {@link UserError} naming it, raised before anything is changed; one whose arrays
     * do not match its own description (which the checkpoint's checksum makes all but impossible) is one too, and
     * then leaves this store's contents unspecified.
     */
    @Override
    public void load(Checkpoint.Section s, NDManager manager) { new GroupKnowledgeCheckpoint(this).load(s, manager); }
}
