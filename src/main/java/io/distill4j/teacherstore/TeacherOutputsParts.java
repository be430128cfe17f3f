package io.distill4j.teacherstore;

import io.distill4j.UserError;
import io.distill4j.knowledge.TeacherOutputs;
import io.distill4j.run.Run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's store of teacher outputs ({@code train.teacher_outputs}) built ahead of training, in parts: ranges of
 * steps, each written atomically to {@code FILE.parts/} by whichever process (or Spark task) takes it, a part
 * already present and valid skipped, so an interrupted build continues. The parts are then joined into the very
 * bytes one process writes.
 */
public final class TeacherOutputsParts {
    private final Run run;
    private final TeacherOutputsBuilder.Layout layout;
    private final byte[] header;

    public TeacherOutputsParts(Run run) {
        if (run.config().train().teacherOutputs() == null) {
            throw new UserError(run.config().root().source() + ": train.teacher_outputs: not set; there is no store "
                    + "to build (set it to a file, e.g. runs/kd-teacher.outputs)");
        }
        this.run = run;
        this.layout = TeacherOutputsBuilder.layout(run);
        this.header = layout.header();
    }

    public Path file() { return layout.file(); }

    public int steps() { return layout.rows().length; }

    /** The folder of the parts: {@code FILE.parts}. */
    public Path folder() { return layout.file().resolveSibling(layout.file().getFileName() + ".parts"); }

    /** Ranges of {@code perPart} steps (the last one shorter) covering every step. */
    public List<int[]> ranges(int perPart) {
        if (perPart < 1) {
            throw new UserError("--steps-per-part: " + perPart + " is not a number of steps (give 1 or more)");
        }
        List<int[]> out = new ArrayList<>();
        for (int from = 0; from < steps(); from += perPart) {
            out.add(new int[] {from, Math.min(steps(), from + perPart)});
        }
        return out;
    }

    /** A range given as {@code FROM:TO}, checked against the store's steps. */
    public int[] range(String text) {
        String[] p = text.split(":", -1);
        try {
            int from = Integer.parseInt(p[0].trim());
            int to = Integer.parseInt(p[1].trim());
            if (p.length == 2 && from >= 0 && from < to && to <= steps()) {
                return new int[] {from, to};
            }
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            // the message below
        }
        throw new UserError("--steps: '" + text + "' is not FROM:TO with 0 <= FROM < TO <= " + steps()
                + " (the store's steps)");
    }

    private TeacherOutputs.Part part(int[] r) {
        return new TeacherOutputs.Part(folder().resolve(String.format("steps-%09d-%09d", r[0], r[1])), r[0], r[1]);
    }

    /** Writes part {@code r} unless a valid one is there; true if written. */
    public boolean write(int[] r) {
        return TeacherOutputs.writePart(part(r), header, layout.rows(), layout.teachers(), layout.classes(),
                layout.encoding(), TeacherOutputsBuilder.source(run));
    }

    /** Whether part {@code r} is present and valid. */
    public boolean written(int[] r) {
        return TeacherOutputs.partValid(part(r), header, layout.rows(), layout.teachers(), layout.classes(),
                layout.encoding());
    }

    /** Joins the parts {@code ranges} into the store, then removes them. */
    public void assemble(List<int[]> ranges) {
        TeacherOutputs.assemble(layout.file(), header, ranges.stream().map(this::part).toList(), layout.rows(),
                layout.teachers(), layout.classes(), layout.encoding());
        try (var files = Files.list(folder())) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.delete(f);
                }
            }
        } catch (IOException e) {
            // parts left behind take room, nothing else: the store is complete
        }
    }

    /** Whether the store is there already (then it is opened, and refused if built for anything else). */
    public boolean complete() {
        if (!Files.exists(layout.file())) {
            return false;
        }
        TeacherOutputs.open(layout.file(), layout.fingerprint(), layout.rows(), layout.teachers(), layout.classes(),
                layout.encoding()).close();
        return true;
    }
}
