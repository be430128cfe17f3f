package io.distill4j.teacherstore;

import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import io.distill4j.UserError;
import io.distill4j.config.RunConfig;
import io.distill4j.config.TeacherConfig;
import io.distill4j.data.BatchLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.data.ImageDataset;
import io.distill4j.data.Normalization;
import io.distill4j.knowledge.Teacher;
import io.distill4j.knowledge.TeacherOutputs;
import io.distill4j.run.Run;
import io.distill4j.run.TeacherLoader;
import io.distill4j.util.FileDigest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens a run's {@code train.teacher_outputs} store, building it first when the file does not exist: every
 * training step's batch is rebuilt (the same pure function of seed, epoch and index the trainer uses, mixing
 * included) and every teacher's logits for it are written, in inference mode at the training batch size, as
 * the teachers would compute them online.
 */
public final class TeacherOutputsBuilder {
    private TeacherOutputsBuilder() {}

    /** The SHA-256 of a model file, or of a folder's files (an export, a run's checkpoint) in name order. */
    private static String digest(Path p) {
        if (!Files.isDirectory(p)) {
            return FileDigest.hex(p, "SHA-256");
        }
        Path ck = p.resolve("checkpoints").resolve("best.ckpt");
        if (!Files.isRegularFile(ck)) {
            ck = p.resolve("checkpoints").resolve("last.ckpt");
        }
        if (Files.isRegularFile(ck)) {
            return FileDigest.hex(ck, "SHA-256");
        }
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(p)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                all.append(f.getFileName()).append('=').append(FileDigest.hex(f, "SHA-256")).append(';');
            }
        } catch (IOException e) {
            throw new UserError(p + ": unreadable: " + e.getMessage());
        }
        return all.toString();
    }

    /** Where a run's store is and what it holds: the steps' sizes, the teachers, the classes, the encoding. */
    record Layout(Path file, String fingerprint, int[] rows, int teachers, int classes,
                  TeacherOutputs.Encoding encoding) {
        byte[] header() {
            return TeacherOutputs.headerBytes(fingerprint, rows.length, teachers, classes, encoding);
        }
    }

    static Layout layout(Run run) {
        RunConfig cfg = run.config();
        BatchLoader loader = run.trainLoader();
        int perEpoch = loader.batchesPerEpoch();
        int steps = Math.toIntExact((long) perEpoch * cfg.train().epochs());
        int[] rows = new int[steps];
        for (int s = 0; s < steps; s++) {
            rows[s] = loader.batchSize(s % perEpoch);
        }
        return new Layout(Path.of(cfg.train().teacherOutputs()), fingerprint(cfg, run.train(), run.normalization()),
                rows, run.teachers().size(), run.train().numClasses(),
                new TeacherOutputs.Encoding(cfg.train().teacherOutputsTopK(), run.method().softTargetTemperature()));
    }

    /** Every teacher's logits for a step's batch (rebuilt as the trainer builds it), in inference mode. */
    static TeacherOutputs.Source source(Run run) {
        List<Teacher> teachers = run.teachers();
        BatchLoader loader = run.trainLoader();
        int perEpoch = loader.batchesPerEpoch();
        return step -> {
            HostBatch hb = loader.batch((int) (step / perEpoch), (int) (step % perEpoch));
            float[][] out = new float[teachers.size()][];
            try (NDManager bm = run.manager().newSubManager()) {
                var x = hb.view(bm, 0);
                for (int i = 0; i < teachers.size(); i++) {
                    out[i] = teachers.get(i).logits(x).toFloatArray();
                }
            }
            return out;
        };
    }

    public static TeacherOutputs openOrBuild(Run run) {
        Layout l = layout(run);
        if (Files.exists(l.file())) {
            return TeacherOutputs.open(l.file(), l.fingerprint(), l.rows(), l.teachers(), l.classes(), l.encoding());
        }
        System.err.printf("distill4j: writing the teachers' outputs for %d steps to %s (once; later runs with the "
                + "same seed, data and teachers read them)%n", l.rows().length, l.file());
        return TeacherOutputs.build(l.file(), l.fingerprint(), l.rows(), l.teachers(), l.classes(), l.encoding(),
                source(run));
    }

    /** What the stored logits depend on: the batches (seed, data, batching, epochs) and the teachers. */
    static String fingerprint(RunConfig cfg, ImageDataset train, Normalization norm) {
        StringBuilder f = new StringBuilder();
        f.append("seed ").append(cfg.seed()).append('\n');
        f.append("data ").append(new Gson().toJson(cfg.resolved().get("data"))).append('\n');
        f.append("batch_size ").append(cfg.train().batchSize()).append('\n');
        f.append("epochs ").append(cfg.train().epochs()).append('\n');
        f.append(teachers(cfg, train, norm));
        return f.toString();
    }

    /** The teachers' part of a fingerprint: each one's name, architecture, file digest and input contract. */
    static String teachers(RunConfig cfg, ImageDataset train, Normalization norm) {
        StringBuilder f = new StringBuilder();
        for (TeacherConfig t : cfg.teachers()) {
            f.append("teacher ").append(t.name()).append(' ').append(t.arch()).append(' ')
                    .append(t.network() == null ? "-" : t.network()).append(' ').append(digest(Path.of(t.source())))
                    .append('\n');
            if (t.model() != null && Files.isRegularFile(Path.of(t.model())) && !t.model().endsWith(".ckpt")) {
                f.append("contract ").append(TeacherLoader.contract(t, Path.of(t.model()), train, norm).describe())
                        .append('\n');
            }
        }
        return f.toString();
    }
}
