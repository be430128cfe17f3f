package io.distill4j.util;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Activations laid out channels-last (NHWC in memory, NCHW in shape), libtorch's {@code channels_last} memory
 * format. oneDNN's convolutions read and write that layout directly, where the default layout costs a reorder of
 * every activation into oneDNN's blocked layout and back at every convolution, forward and backward. Once an
 * activation is channels-last, libtorch keeps the layout through convolutions, BatchNorm, element-wise operations
 * and pooling; shapes, values (up to floating-point rounding) and gradients are those of the default layout.
 * DJL has no memory-format operation, so this permutes to NHWC, makes that contiguous with libtorch's
 * {@code contiguous()} (DJL's JNI binding, not public in DJL's API) and permutes back: all three are autograd
 * operations.
 */
public final class MemoryFormat {
    private static final MethodHandle TO_CONTIGUOUS = binding("torchToContiguous", long.class);
    private static final MethodHandle IS_CONTIGUOUS = binding("torchIsContiguous", boolean.class);

    private MemoryFormat() {}

    /** {@code x} (N, C, H, W) with channels-last strides; x itself if it has no four axes or already is. */
    public static NDArray channelsLast(NDArray x) {
        if (x.getShape().dimension() != 4) {
            return x;
        }
        PtNDArray nhwc = (PtNDArray) x.transpose(0, 2, 3, 1);
        long handle;
        try {
            handle = (long) TO_CONTIGUOUS.invoke(nhwc.getHandle());
        } catch (Throwable t) {
            throw new IllegalStateException("libtorch's contiguous() failed", t);
        }
        PtNDArray dense = new PtNDArray((PtNDManager) x.getManager(), handle);
        nhwc.close();
        NDArray out = dense.transpose(0, 3, 1, 2);
        dense.close(); // the view keeps the storage
        return out;
    }

    /** Whether {@code x} (N, C, H, W) is laid out channels-last: its NHWC permutation is contiguous. */
    public static boolean isChannelsLast(NDArray x) {
        if (x.getShape().dimension() != 4) {
            return false;
        }
        try (NDArray nhwc = x.transpose(0, 2, 3, 1)) {
            return (boolean) IS_CONTIGUOUS.invoke(((PtNDArray) nhwc).getHandle());
        } catch (Throwable t) {
            throw new IllegalStateException("libtorch's is_contiguous() failed", t);
        }
    }

    /** DJL's JNI function {@code name(long handle)}, package-private in DJL. */
    private static MethodHandle binding(String name, Class<?> returns) {
        try {
            Class<?> lib = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
            var field = lib.getDeclaredField("LIB");
            field.setAccessible(true);
            Object instance = field.get(null);
            var method = lib.getDeclaredMethod(name, long.class);
            method.setAccessible(true);
            return MethodHandles.lookup().unreflect(method).bindTo(instance)
                    .asType(MethodType.methodType(returns, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
