package io.distill4j.methods.terms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.distill4j.knowledge.Teacher;
import io.distill4j.methods.Batch;
import io.distill4j.methods.Losses;
import io.distill4j.methods.StepContext;
import io.distill4j.runtime.Net;
import io.distill4j.runtime.Stateful;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A single-student method as a list of {@link Term}s. One step: the teacher's forward once, outside the gradient
 * tape (its logits alone, from a store of outputs where the run has one, unless a term reads features: then
 * logits, pooled features and every stage a term names); each term's {@link Term#prepare}; then in one update the
 * student's forward once (logits alone, or with features and stages likewise) and each term's weighted values in
 * the terms' order (the order the backward pass sums them in); then each term's {@link Term#after}.
 */
public final class Composition {
    private final List<Term> terms;
    private final boolean teacher;
    private final boolean features;
    private final List<String> studentStages;
    private final List<String> teacherStages;

    public Composition(List<Term> terms) {
        this.terms = List.copyOf(terms);
        Set<String> ss = new LinkedHashSet<>();
        Set<String> ts = new LinkedHashSet<>();
        boolean t = false;
        boolean pooled = false;
        for (Term term : terms) {
            Term.Reads r = term.reads();
            t |= r.teacher();
            pooled |= r.pooled();
            ss.addAll(r.studentStages());
            ts.addAll(r.teacherStages());
        }
        this.teacher = t;
        this.studentStages = List.copyOf(ss);
        this.teacherStages = List.copyOf(ts);
        this.features = pooled || !ss.isEmpty() || !ts.isEmpty();
    }

    public List<Term> terms() {
        return terms;
    }

    /** Whether a term reads the teacher's features (then a store of teacher logits cannot serve it). */
    public boolean readsFeatures() {
        return features;
    }

    public void attach(NDManager manager, Net student, Teacher t) {
        for (Term term : terms) {
            term.attach(manager, student, t);
        }
    }

    public List<Net> ownNetworks() {
        List<Net> out = new ArrayList<>();
        terms.forEach(t -> out.addAll(t.ownNetworks()));
        return out;
    }

    public List<Stateful> state() {
        List<Stateful> out = new ArrayList<>();
        terms.forEach(t -> out.addAll(t.state()));
        return out;
    }

    public List<String> notes() {
        List<String> out = new ArrayList<>();
        terms.forEach(t -> out.addAll(t.notes()));
        return out;
    }

    /** One step; with {@code keepLogits} the student's logits are kept as the output {@code "logits"}. */
    public Losses step(Batch batch, StepContext ctx, boolean keepLogits) {
        Net student = ctx.trainable().get(0);
        NDArray x = batch.images();
        NDList t = !teacher ? null : features ? ctx.teacherKnowledge().features(0, x, teacherStages)
                : new NDList(ctx.teacherKnowledge().logits(0, x));
        TermInputs in = new TermInputs(batch, ctx, student, t, teacherStages, studentStages);
        for (Term term : terms) {
            term.prepare(in);
        }
        Losses losses = ctx.update(() -> {
            in.studentForward(features ? student.forward(x, true, studentStages)
                    : new NDList(student.logits(x, true)));
            Losses out = new Losses();
            for (Term term : terms) {
                term.add(in, out);
            }
            return keepLogits ? out.keep("logits", in.studentLogits()) : out;
        });
        for (Term term : terms) {
            term.after(in, losses);
        }
        return losses;
    }
}
