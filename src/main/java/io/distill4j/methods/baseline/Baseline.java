package io.distill4j.methods.baseline;

import io.distill4j.methods.Batch;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.StepContext;
import io.distill4j.runtime.Net;

/**
 * Method {@code baseline}: every trainable network is trained alone with cross-entropy on the hard labels.
 * With several networks this is independent training of each (the reference point for online methods).
 */
public final class Baseline implements Method {
    /** {@code baseline} has no options. */
    public record Options() {}

    public Baseline(Options options, MethodSetup setup) {
    }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        return ctx.update(() -> {
            Losses losses = new Losses();
            for (Net n : ctx.trainable()) {
                losses.add(n.name(), "ce", batch.crossEntropy(n.logits(batch.images(), true)));
            }
            return losses;
        });
    }
}
