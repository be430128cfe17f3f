package io.distill4j.bench;

import io.distill4j.config.RunConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The config bench times a method on: the given config and overrides with {@code method.name} set, adapted by one
 * rule: an online method (its networks learn from each other, {@link #ONLINE_METHODS}) on a one-network config gets
 * a second peer, {@value #SECOND_PEER}, of the first network's architecture, so that every method of a list can be
 * timed on the same one-network config; with {@code --student}, the first network is replaced by a TorchScript
 * module.
 */
public final class BenchConfigs {
    /** The methods that need at least two networks trained together. */
    public static final List<String> ONLINE_METHODS = List.of("dml", "okdcr");

    /** The network the rule adds. */
    public static final String SECOND_PEER = "bench_peer2";

    private BenchConfigs() {}

    /** The overrides that make {@code base} (the config with {@code overrides}) run {@code method}. */
    public static List<String> overrides(RunConfig base, List<String> overrides, String method) {
        List<String> o = new ArrayList<>(overrides);
        o.add("method.name=" + method);
        if (ONLINE_METHODS.contains(method) && base.networks().size() == 1) {
            o.add("networks." + SECOND_PEER + ".arch=" + base.networks().get(0).arch());
        }
        return o;
    }

    /** {@link #overrides} with the first network replaced by a TorchScript module ({@code bench --student}). */
    public static List<String> scripted(RunConfig base, List<String> overrides, String method, Path student) {
        List<String> o = overrides(base, overrides, method);
        String first = base.networks().get(0).name();
        o.add("networks." + first + ".arch=none");
        o.add("networks." + first + ".model=" + student);
        return o;
    }
}
