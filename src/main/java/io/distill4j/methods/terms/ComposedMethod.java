package io.distill4j.methods.terms;

import ai.djl.ndarray.NDManager;
import io.distill4j.knowledge.Teacher;
import io.distill4j.methods.Batch;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Method;
import io.distill4j.methods.StepContext;
import io.distill4j.runtime.Net;
import io.distill4j.runtime.Stateful;

import java.util.List;
import java.util.OptionalDouble;

/**
 * A single-student method that is one {@link Composition} of terms (kd, dkd, at, crd, dist, nkd, wttm, compose): its
 * own networks, state and notes are its terms', its step the composition's, and the temperature a compact store of
 * teacher outputs keeps exact is the first term's that has one.
 */
public abstract class ComposedMethod implements Method {
    private final Composition composition;

    protected ComposedMethod(Composition composition) {
        this.composition = composition;
    }

    protected Composition composition() {
        return composition;
    }

    @Override
    public void attach(NDManager manager, List<Net> trainable, List<Teacher> teachers) {
        composition.attach(manager, trainable.get(0), teachers.isEmpty() ? null : teachers.get(0));
    }

    @Override
    public List<Net> ownNetworks() {
        return composition.ownNetworks();
    }

    @Override
    public List<Stateful> state() {
        return composition.state();
    }

    @Override
    public List<String> notes() {
        return composition.notes();
    }

    @Override
    public double softTargetTemperature() {
        return composition.terms().stream().map(Term::softTargetTemperature).filter(OptionalDouble::isPresent)
                .mapToDouble(OptionalDouble::getAsDouble).findFirst().orElse(1);
    }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        return composition.step(batch, ctx, false);
    }
}
