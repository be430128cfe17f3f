package io.distill4j.knowledge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.distill4j.runtime.Net;

import java.util.List;
import java.util.Map;

/** A teacher that is a distill4j network, loaded from a checkpoint of a distill4j run. */
public final class NetTeacher implements Teacher {
    private final Net net;
    private final String origin;

    /** @param origin where it came from (the checkpoint), for {@link #describe()} */
    public NetTeacher(Net net, String origin) {
        this.net = net;
        this.origin = origin;
    }

    @Override
    public String name() { return net.name(); }

    @Override
    public NDArray logits(NDArray x) { return net.logits(x, false); }

    @Override
    public NDList features(NDArray x, List<String> stages) { return net.forward(x, false, stages); }

    @Override
    public Map<String, String> stageNames() { return net.block().stageNames(); }

    @Override
    public Net net() { return net; }

    @Override
    public String describe() { return "distill4j " + net.block().getClass().getSimpleName() + " from " + origin; }

    @Override
    public void countForwards(boolean on) { net.countForwards(on); }

    @Override
    public long imagesForwarded() { return net.imagesForwarded(); }

    @Override
    public void close() { net.close(); }
}
