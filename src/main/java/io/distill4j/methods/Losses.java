package io.distill4j.methods;

import ai.djl.ndarray.NDArray;
import io.distill4j.util.Sums;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one update computed: the named, already-weighted loss terms per network, and named outputs of its
 * forward passes (detached) that the method wants after the update (logits to store as knowledge, say). The
 * trainer sums the terms for the backward pass and logs each as {@code "<network>/<term>"}; a network's
 * optimizer steps only if it has terms.
 */
public final class Losses {
    private final Map<String, Map<String, NDArray>> terms = new LinkedHashMap<>();
    private final Map<String, NDArray> outputs = new LinkedHashMap<>();
    private final Set<String> stepped = new LinkedHashSet<>();

    /** Keeps an output of the forward passes, detached from the graph, under {@code name}. */
    public Losses keep(String name, NDArray value) {
        if (outputs.putIfAbsent(name, value.stopGradient()) != null) {
            throw new IllegalStateException("output " + name + " kept twice");
        }
        return this;
    }

    /** An output kept by {@link #keep}. */
    public NDArray output(String name) {
        NDArray a = outputs.get(name);
        if (a == null) {
            throw new IllegalStateException("no output '" + name + "' (kept: " + outputs.keySet() + ")");
        }
        return a;
    }

    public Map<String, NDArray> outputs() {
        return Collections.unmodifiableMap(outputs);
    }

    public Losses add(String network, String term, NDArray value) {
        Map<String, NDArray> m = terms.computeIfAbsent(network, k -> new LinkedHashMap<>());
        if (m.putIfAbsent(term, value) != null) {
            throw new IllegalStateException("loss term " + network + "/" + term + " added twice");
        }
        return this;
    }

    /**
     * Steps {@code network}'s optimizer although it has no term of its own: a head that another network's term
     * trains through (FitNets' regressor, CRD's embeddings).
     */
    public Losses alsoStep(String network) {
        stepped.add(network);
        return this;
    }

    /** The networks whose optimizers step: those with terms, and those marked by {@link #alsoStep}. */
    public Set<String> networks() {
        Set<String> all = new LinkedHashSet<>(terms.keySet());
        all.addAll(stepped);
        return Collections.unmodifiableSet(all);
    }

    public Map<String, NDArray> of(String network) {
        return terms.getOrDefault(network, Map.of());
    }

    /** The sum of every term of every network (what one backward pass differentiates). */
    public NDArray total() {
        NDArray sum = null;
        for (Map<String, NDArray> m : terms.values()) {
            for (NDArray v : m.values()) {
                sum = Sums.plus(sum, v);
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
