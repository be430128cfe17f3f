package io.distill4j.methods.terms;

import io.distill4j.config.Option;
import io.distill4j.methods.Losses;
import io.distill4j.util.Scalars;

/** Term {@code ce}: the cross-entropy on the hard labels (of the labelled samples), logged as {@code ce}. */
public final class CeTerm implements Term {
    /** Options of {@code ce}. */
    public record Options(
            @Option(doc = "weight of the cross-entropy on the hard labels", value = "1", min = 0, max = 1e6)
            double weight) {}

    private final float weight;

    public CeTerm(Options options) {
        this.weight = (float) options.weight();
    }

    @Override
    public Reads reads() { return Reads.LABELS; }

    @Override
    public void add(TermInputs in, Losses out) {
        out.add(in.student().name(), "ce", Scalars.mul(in.batch().crossEntropy(in.studentLogits()), weight));
    }
}
