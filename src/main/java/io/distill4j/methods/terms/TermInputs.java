package io.distill4j.methods.terms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.distill4j.losses.LogitLosses;
import io.distill4j.methods.Batch;
import io.distill4j.methods.StepContext;
import io.distill4j.runtime.Net;

import java.util.List;

/**
 * What the terms of a {@link Composition} read in one step: the batch and the step's context, the student, the
 * teacher's outputs for the batch (taken before the update: logits alone, or logits, pooled features and the stage
 * maps the terms name) and, inside the update, the student's forward (likewise).
 */
public final class TermInputs {
    private final Batch batch;
    private final StepContext ctx;
    private final Net student;
    private final NDList teacher;
    private final List<String> teacherStages;
    private final List<String> studentStages;
    private NDList forward;

    TermInputs(Batch batch, StepContext ctx, Net student, NDList teacher, List<String> teacherStages,
               List<String> studentStages) {
        this.batch = batch;
        this.ctx = ctx;
        this.student = student;
        this.teacher = teacher;
        this.teacherStages = teacherStages;
        this.studentStages = studentStages;
    }

    void studentForward(NDList out) {
        this.forward = out;
    }

    public Batch batch() { return batch; }

    public StepContext ctx() { return ctx; }

    public Net student() { return student; }

    public NDArray studentLogits() { return forward.get(0); }

    /** The student's pooled features (terms that read {@code pooled}). */
    public NDArray studentPooled() { return forward.get(1); }

    /** The student's map of {@code stage}, one of the terms' student stages. */
    public NDArray studentMap(String stage) {
        return forward.get(2 + studentStages.indexOf(stage));
    }

    public NDArray teacherLogits() { return teacher.get(0); }

    /**
     * The student's and the teacher's logits, each z-scored per sample when {@code standardized} (logit
     * standardisation, docs/methods.md section 13): the terms that take it as an option call these.
     */
    public NDArray studentLogits(boolean standardized) {
        return standardized ? LogitLosses.standardize(studentLogits()) : studentLogits();
    }

    public NDArray teacherLogits(boolean standardized) {
        return standardized ? LogitLosses.standardize(teacherLogits()) : teacherLogits();
    }

    public NDArray teacherPooled() { return teacher.get(1); }

    public NDArray teacherMap(String stage) {
        return teacher.get(2 + teacherStages.indexOf(stage));
    }
}
