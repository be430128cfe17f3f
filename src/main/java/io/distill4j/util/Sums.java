package io.distill4j.util;

import ai.djl.ndarray.NDArray;

/**
 * Running sums of arrays, started by their first term: {@code sum = Sums.plus(sum, term)} from {@code sum = null}
 * adds no zero array (so no extra operation, and no shape or manager to guess for an empty sum).
 */
public final class Sums {
    private Sums() {}

    /** {@code term} when {@code sum} is null (the first term), else {@code sum + term}. */
    public static NDArray plus(NDArray sum, NDArray term) {
        return sum == null ? term : sum.add(term);
    }
}
