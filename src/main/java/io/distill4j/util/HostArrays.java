package io.distill4j.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Java arrays copied into arrays whose memory libtorch owns. DJL's {@code NDManager.create(float[])} copies into
 * a fresh direct ByteBuffer and wraps it without a copy ({@code from_blob}): that memory is freed only when the
 * garbage collector finds the buffer unreachable, so every batch's inputs stay resident until the next
 * collection (hundreds of MiB between collections at evaluation batch sizes), and any native tensor still
 * sharing that storage after the array is closed would read freed memory. Here the data goes through one reused
 * direct staging buffer per thread, is cloned by libtorch, and the wrapper over the staging buffer is closed at
 * once: the returned array's memory is libtorch's and is freed when its manager closes.
 */
public final class HostArrays {
    private static final ThreadLocal<ByteBuffer[]> STAGING = ThreadLocal.withInitial(() -> new ByteBuffer[1]);

    private HostArrays() {}

    /** A float32 array of {@code shape} holding {@code data} (row-major), in {@code m}. */
    public static NDArray floats(NDManager m, float[] data, Shape shape) {
        ByteBuffer b = staging(4L * data.length);
        b.asFloatBuffer().put(data);
        return cloned(m, b, shape, DataType.FLOAT32);
    }

    /** A float32 vector holding {@code data}, in {@code m}. */
    public static NDArray floats(NDManager m, float[] data) {
        return floats(m, data, new Shape(data.length));
    }

    /** An int64 vector holding {@code data}, in {@code m}. */
    public static NDArray longs(NDManager m, long[] data) {
        ByteBuffer b = staging(8L * data.length);
        b.asLongBuffer().put(data);
        return cloned(m, b, new Shape(data.length), DataType.INT64);
    }

    private static ByteBuffer staging(long bytes) {
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(bytes + " bytes do not fit one staging buffer");
        }
        ByteBuffer[] holder = STAGING.get();
        if (holder[0] == null || holder[0].capacity() < bytes) {
            holder[0] = ByteBuffer.allocateDirect((int) Math.max(bytes, 1 << 16)).order(ByteOrder.nativeOrder());
        }
        ByteBuffer b = holder[0];
        b.clear();
        b.limit((int) bytes);
        return b;
    }

    private static NDArray cloned(NDManager m, ByteBuffer staging, Shape shape, DataType type) {
        // a direct ByteBuffer is wrapped, not copied; duplicate() is libtorch's clone
        try (NDArray wrapper = m.create(staging.slice().order(ByteOrder.nativeOrder()), shape, type)) {
            return wrapper.duplicate();
        }
    }
}
