package io.distill4j.methods.mkf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import io.distill4j.UserError;
import io.distill4j.methods.mkf.GroupKnowledge.Mode;
import io.distill4j.runtime.Checkpoint;

import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The checkpoint form of a {@link GroupKnowledge} store, kept apart from the store so that the storage (layouts,
 * EMA, top-k) can change without touching the file format, and the format without touching the storage. Old
 * checkpoints must keep loading: the bytes written here are pinned by a golden file in the tests.
 *
 * <h2>The section</h2>
 * Values: {@code format} (1), {@code mode} ({@link Mode#key}), {@code samples}, {@code classes}, {@code groups},
 * {@code k} (0 for dense), {@code half}, {@code rows_per_block} and {@code blocks} (the writer's blocking; a reader
 * with other blocks re-slices). Arrays, one blob each:
 * <ul>
 *   <li>{@code observed}: one int64 array per group, the observed flags in 64-bit words
 *   ({@code ceil(samples / 64)} each, bits past the last sample clear);</li>
 *   <li>{@code values/<b>}: block {@code b}'s values, float16 (native byte order, as the store holds them) or
 *   float32, its rows one after another;</li>
 *   <li>{@code indices/<b>} (top-k only): block {@code b}'s class indices, int32 when there are more than 32767
 *   classes, else the int16 indices as bytes, shape {@code (n, 2)}, little-endian, because the PyTorch engine
 *   cannot create int16 arrays (it aborts the process).</li>
 * </ul>
 *
 * <h2>Loading</h2>
 * {@link #load} restores bit for bit, whatever block size either store uses. A checkpoint of another format, shape
 * or mode is a one-line {@link UserError} naming the checkpoint, raised before anything is changed; one whose arrays
 * do not match its own description (which the checkpoint's checksum makes all but impossible) is one too, and then
 * leaves the store's contents unspecified.
 */
final class GroupKnowledgeCheckpoint {
    /** The version of the section's layout; a section of another version is refused. */
    private static final int FORMAT = 1;

    private final GroupKnowledge store;

    GroupKnowledgeCheckpoint(GroupKnowledge store) {
        this.store = store;
    }

    /** Writes the store into {@code s} (see the class comment for what goes where). */
    void save(Checkpoint.Section s) {
        JsonObject v = s.values();
        v.addProperty("format", FORMAT);
        v.addProperty("mode", store.mode().key());
        v.addProperty("samples", store.samples());
        v.addProperty("classes", store.classes());
        v.addProperty("groups", store.groups());
        v.addProperty("k", store.k());
        v.addProperty("half", store.half());
        v.addProperty("rows_per_block", store.rowsPerBlock);
        v.addProperty("blocks", store.blocks());
        try (NDManager m = NDManager.newBaseManager()) {
            NDList flags = new NDList();
            for (long[] words : store.observed) {
                flags.add(m.create(words));
            }
            s.putArrays("observed", flags);
            for (int b = 0; b < store.blocks(); b++) {
                try (NDManager bm = m.newSubManager()) {
                    s.putArrays("values/" + b, new NDList(store.half() ? halves(bm, store.f16[b])
                            : bm.create(store.f32[b])));
                    if (store.mode() == Mode.TOPK) {
                        s.putArrays("indices/" + b, new NDList(store.wideIndices ? bm.create(store.idx32[b])
                                : shortBytes(bm, store.idx16[b])));
                    }
                }
            }
        }
    }

    /** Restores what {@link #save} wrote into the store; see the class comment for what is refused. */
    void load(Checkpoint.Section s, NDManager manager) {
        String where = s.origin() + ": group knowledge '" + store.stateName() + "'";
        int format = s.require("format").getAsInt();
        if (format != FORMAT) {
            throw new UserError(where + " has format " + format + ", this distill4j reads format " + FORMAT);
        }
        String saved = GroupKnowledge.describe(s.require("mode").getAsString(), s.require("k").getAsInt(),
                s.require("half").getAsBoolean(), s.require("samples").getAsLong(), s.require("groups").getAsLong(),
                s.require("classes").getAsLong());
        if (!saved.equals(store.describe())) {
            throw new UserError(where + " was saved as " + saved + ", but this run keeps " + store.describe()
                    + " (resume with the same data set and knowledge settings)");
        }
        long rows = store.rows;
        int savedRows = s.require("rows_per_block").getAsInt();
        int savedBlocks = s.require("blocks").getAsInt();
        if (savedRows < 1 || (long) savedRows * savedBlocks < rows || (long) savedRows * (savedBlocks - 1) >= rows
                || Math.min(savedRows, rows) * store.width > Integer.MAX_VALUE) {
            throw corrupt(where, savedBlocks + " blocks of " + savedRows + " rows for " + rows + " rows");
        }
        int groups = store.groups();
        int samples = store.samples();
        boolean half = store.half();
        boolean wide = store.wideIndices;
        try (NDManager m = manager.newSubManager()) {
            NDList flags = s.arrays("observed", m);
            if (flags.size() != groups) {
                throw corrupt(where, flags.size() + " observed-flag arrays for " + groups + " groups");
            }
            long[][] words = new long[groups][];
            for (int g = 0; g < groups; g++) {
                words[g] = read(flags.get(g), DataType.INT64, store.observed[g].length, where, "observed flags")
                        .toLongArray();
            }
            if (samples % 64 != 0) { // bits past the last sample must be clear
                for (long[] w : words) {
                    if ((w[w.length - 1] >>> (samples % 64)) != 0) {
                        throw corrupt(where, "observed flags beyond the last sample");
                    }
                }
            }
            for (int b = 0; b < savedBlocks; b++) {
                try (NDManager bm = m.newSubManager()) {
                    int len = store.blockLength(b, savedRows);
                    long start = (long) b * savedRows * store.width;
                    NDArray values = read(one(s.arrays("values/" + b, bm), where), half ? DataType.FLOAT16
                            : DataType.FLOAT32, len, where, "values block " + b);
                    scatter(half ? store.f16 : store.f32, start, half ? fromHalves(values) : values.toFloatArray());
                    if (store.mode() == Mode.TOPK) {
                        NDArray indices = one(s.arrays("indices/" + b, bm), where);
                        Object data;
                        if (wide) {
                            data = read(indices, DataType.INT32, len, where, "indices block " + b).toIntArray();
                        } else {
                            checkArray(indices, DataType.INT8, new Shape(len, 2), where, "indices block " + b);
                            data = fromShortBytes(indices);
                        }
                        checkClasses(data, where, b);
                        scatter(wide ? store.idx32 : store.idx16, start, data);
                    }
                }
            }
            for (int g = 0; g < groups; g++) {
                store.observed[g] = words[g];
            }
        }
    }

    // ------------------------------------------------------------------------------------------- array encoding

    /** fp16 bits as a float16 array, in native byte order (the order the engine reads). */
    private static NDArray halves(NDManager m, short[] data) {
        ByteBuffer buf = ByteBuffer.allocateDirect(data.length * 2).order(ByteOrder.nativeOrder());
        buf.asShortBuffer().put(data);
        return m.create(buf, new Shape(data.length), DataType.FLOAT16);
    }

    private static short[] fromHalves(NDArray a) {
        short[] out = new short[Math.toIntExact(a.size())];
        a.toByteBuffer().order(ByteOrder.nativeOrder()).asShortBuffer().get(out);
        return out;
    }

    /**
     * Short indices as bytes, shape (n, 2), little-endian: the PyTorch engine cannot create int16 arrays (it aborts
     * the process).
     */
    private static NDArray shortBytes(NDManager m, short[] data) {
        ByteBuffer buf = ByteBuffer.allocate(data.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        buf.asShortBuffer().put(data);
        return m.create(buf.array(), new Shape(data.length, 2));
    }

    private static short[] fromShortBytes(NDArray a) {
        short[] out = new short[Math.toIntExact(a.getShape().get(0))];
        ByteBuffer.wrap(a.toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
        return out;
    }

    // ----------------------------------------------------------------------------------------------- validation

    private static NDArray one(NDList list, String where) {
        if (list.size() != 1) {
            throw corrupt(where, list.size() + " arrays where one was written");
        }
        return list.get(0);
    }

    private static NDArray read(NDArray a, DataType type, long length, String where, String what) {
        return checkArray(a, type, new Shape(length), where, what);
    }

    private static NDArray checkArray(NDArray a, DataType type, Shape shape, String where, String what) {
        if (a.getDataType() != type || !a.getShape().equals(shape)) {
            throw corrupt(where, what + " is " + a.getDataType() + " " + a.getShape() + ", expected " + type + " "
                    + shape);
        }
        return a;
    }

    /** Every class index (a {@code short[]} or {@code int[]}) must name one of the store's classes. */
    private void checkClasses(Object indices, String where, int block) {
        for (int i = 0, n = Array.getLength(indices); i < n; i++) {
            int c = store.wideIndices ? ((int[]) indices)[i] : ((short[]) indices)[i];
            if (c < 0 || c >= store.classes()) {
                throw corrupt(where, "class index " + c + " in indices block " + block);
            }
        }
    }

    /**
     * Copies {@code src} into the store's {@code blocks} from global element {@code start} on (row-major over all
     * rows), across the store's block boundaries, which need not be the writer's.
     */
    private void scatter(Object[] blocks, long start, Object src) {
        long perBlock = (long) store.rowsPerBlock * store.width;
        int len = Array.getLength(src);
        for (int done = 0; done < len; ) {
            long at = start + done;
            int b = (int) (at / perBlock);
            int off = (int) (at % perBlock);
            int n = Math.min(len - done, Array.getLength(blocks[b]) - off);
            System.arraycopy(src, done, blocks[b], off, n);
            done += n;
        }
    }

    private static UserError corrupt(String where, String what) {
        return new UserError(where + " is inconsistent (" + what + ")");
    }
}
