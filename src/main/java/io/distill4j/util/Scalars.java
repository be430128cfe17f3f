package io.distill4j.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.function.BinaryOperator;

/**
 * Arithmetic with a number, safe under autograd. DJL's {@code NDArray.mul(Number)} and its kin wrap the number in
 * a scalar array over a fresh direct ByteBuffer ({@code from_blob}, memory libtorch does not own) and close it
 * as soon as the operation returns. Autograd keeps that scalar for the backward pass ({@code x * c} saves
 * {@code c}), so once the garbage collector frees the buffer, backward reads freed memory: the gradient of
 * {@code x.mul(3f)} came out as 4e-41 in every one of 50 tries when a collection ran in between
 * ({@code ScalarsTest}), and in training this showed as rare non-reproducible runs and NaN losses. Here the
 * scalar is made by libtorch ({@code full}), so what autograd saves owns its memory. Every operation of the
 * project's code that combines an array with a number goes through this class ({@code
 * NumberOperandsTest} checks the compiled classes).
 */
public final class Scalars {
    private Scalars() {}

    /** {@code x * v}. */
    public static NDArray mul(NDArray x, double v) {
        return with(x, v, NDArray::mul);
    }

    /** {@code x / v}. */
    public static NDArray div(NDArray x, double v) {
        return with(x, v, NDArray::div);
    }

    /** {@code x + v}. */
    public static NDArray add(NDArray x, double v) {
        return with(x, v, NDArray::add);
    }

    /** {@code x - v}. */
    public static NDArray sub(NDArray x, double v) {
        return with(x, v, NDArray::sub);
    }

    /** Element-wise {@code max(x, v)}. */
    public static NDArray maximum(NDArray x, double v) {
        return with(x, v, NDArray::maximum);
    }

    /** Element-wise {@code x^v}. */
    public static NDArray pow(NDArray x, double v) {
        return with(x, v, NDArray::pow);
    }

    /** {@code x *= v} in place; returns {@code x}. */
    public static NDArray muli(NDArray x, double v) {
        return with(x, v, NDArray::muli);
    }

    private static NDArray with(NDArray x, double v, BinaryOperator<NDArray> op) {
        try (NDArray s = of(x, v)) {
            return op.apply(x, s);
        }
    }

    /**
     * A 0-dimensional array holding {@code v} (rounded to {@code like}'s type, as DJL rounds a Java float), in
     * {@code like}'s manager, on its device, in memory libtorch owns. Keep it to reuse one scalar for many
     * operations; close it when done.
     */
    public static NDArray of(NDArray like, double v) {
        return like.getManager().full(new Shape(), (float) v, like.getDataType());
    }
}
