package io.distill4j.methods;

import ai.djl.ndarray.NDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The named, already-weighted loss terms of one step, per network. The trainer sums them for the backward
 * pass and logs each term as {@code "<network>/<term>"}. A network's optimizer steps only if it has terms.
 */
public final class Losses {
    private final Map<String, Map<String, NDArray>> terms = new LinkedHashMap<>();

    public Losses add(String network, String term, NDArray value) {
        Map<String, NDArray> m = terms.computeIfAbsent(network, k -> new LinkedHashMap<>());
        if (m.putIfAbsent(term, value) != null) {
            throw new IllegalStateException("loss term " + network + "/" + term + " added twice");
        }
        return this;
    }

    public Set<String> networks() {
        return Collections.unmodifiableSet(terms.keySet());
    }

    public Map<String, NDArray> of(String network) {
        return terms.getOrDefault(network, Map.of());
    }

    /** The sum of every term of every network (what one backward pass differentiates). */
    public NDArray total() {
        NDArray sum = null;
        for (Map<String, NDArray> m : terms.values()) {
            for (NDArray v : m.values()) {
                sum = sum == null ? v : sum.add(v);
            }
        }
        if (sum == null) {
            throw new IllegalStateException("a step produced no loss");
        }
        return sum;
    }

    /** Every term as a float, keyed {@code network/term}. */
    public Map<String, Float> scalars() {
        Map<String, Float> out = new LinkedHashMap<>();
        for (var e : terms.entrySet()) {
            for (var t : e.getValue().entrySet()) {
                out.put(e.getKey() + "/" + t.getKey(), t.getValue().getFloat());
            }
        }
        return out;
    }
}
