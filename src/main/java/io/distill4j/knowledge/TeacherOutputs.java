package io.distill4j.knowledge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.UserError;
import io.distill4j.util.HostArrays;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Teachers' logits stored for every training step of a run: because a batch, its augmentation and its mixing are
 * a pure function of (seed, epoch, batch index), the logits of the exact images the student sees at step s can be
 * computed once, written here, and read instead of running the teachers (KD, MEAL V2). The file is float32 and
 * dense (exact: the student trains bit for bit as with the teachers online), laid out step after step, teacher
 * after teacher, a batch's rows of {@code classes} logits; a header names what it was built for (the
 * fingerprint: seed, data, batching, epochs, the teachers' architectures and checkpoint digests), and a file
 * built for anything else is refused. Size: steps x batch x teachers x classes x 4 bytes (e.g. 20 epochs of 3,000
 * images, one teacher, 10 classes: 2.4 MB; 200 epochs of CIFAR-100 with two teachers: 8 GB).
 */
public final class TeacherOutputs implements AutoCloseable {
    private static final String MAGIC = "distill4j-teacher-outputs-1";

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final long[] rowOffsets; // first row of each step
    private final int teachers;
    private final int classes;

    private TeacherOutputs(Path file, FileChannel channel, long dataStart, long[] rowOffsets, int teachers,
                           int classes) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.rowOffsets = rowOffsets;
        this.teachers = teachers;
        this.classes = classes;
    }

    public Path file() { return file; }

    /** Writes a store: {@code rows[s]} images at step s, the logits from {@code source}, atomically. */
    public interface Source {
        /** The logits (rows x classes, row-major) of every teacher for step {@code step}: [teacher][...]. */
        float[][] logits(long step);
    }

    /**
     * Builds the store at {@code file} (a temporary file renamed into place when complete, so an interrupted
     * build leaves nothing that looks finished) and opens it.
     */
    public static TeacherOutputs build(Path file, String fingerprint, int[] rows, int teachers, int classes,
                                       Source source) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] header = header(fingerprint, rows.length, teachers, classes).getBytes(StandardCharsets.UTF_8);
                ByteBuffer h = ByteBuffer.allocate(4 + header.length).order(ByteOrder.LITTLE_ENDIAN);
                h.putInt(header.length).put(header).flip();
                while (h.hasRemaining()) {
                    out.write(h);
                }
                for (int s = 0; s < rows.length; s++) {
                    float[][] z = source.logits(s);
                    if (z.length != teachers) {
                        throw new IllegalStateException("step " + s + ": " + z.length + " teachers, expected " + teachers);
                    }
                    ByteBuffer b = ByteBuffer.allocate(4 * teachers * rows[s] * classes).order(ByteOrder.LITTLE_ENDIAN);
                    for (float[] t : z) {
                        if (t.length != rows[s] * classes) {
                            throw new IllegalStateException("step " + s + ": " + t.length + " logits, expected "
                                    + rows[s] * classes);
                        }
                        b.asFloatBuffer().put(t);
                        b.position(b.position() + 4 * t.length);
                    }
                    b.flip();
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                }
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UserError(file + ": cannot write the teacher outputs: " + e.getMessage());
        }
        return open(file, fingerprint, rows, teachers, classes);
    }

    /** Opens a store, refusing one built for another run (another fingerprint) or of the wrong size. */
    public static TeacherOutputs open(Path file, String fingerprint, int[] rows, int teachers, int classes) {
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            try {
                ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, len, 0);
                int n = len.flip().getInt();
                if (n <= 0 || n > 1 << 20) {
                    throw new UserError(file + ": not a teacher-outputs file (delete it to rebuild)");
                }
                ByteBuffer h = ByteBuffer.allocate(n);
                readFully(ch, h, 4);
                String got = new String(h.array(), StandardCharsets.UTF_8);
                String want = header(fingerprint, rows.length, teachers, classes);
                if (!got.equals(want)) {
                    throw new UserError(file + ": built for another run (" + firstDifference(got, want) + "); delete "
                            + "it to rebuild, or set train.teacher_outputs to another file");
                }
                long[] offsets = new long[rows.length + 1];
                for (int s = 0; s < rows.length; s++) {
                    offsets[s + 1] = offsets[s] + rows[s];
                }
                long expected = 4L + n + 4L * teachers * classes * offsets[rows.length];
                if (ch.size() != expected) {
                    throw new UserError(file + ": " + ch.size() + " bytes, expected " + expected
                            + " (truncated?); delete it to rebuild");
                }
                return new TeacherOutputs(file, ch, 4L + n, offsets, teachers, classes);
            } catch (RuntimeException | IOException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UserError(file + ": cannot read the teacher outputs: " + e.getMessage());
        }
    }

    /** Teacher {@code teacher}'s logits for the batch of global step {@code step}, as an array in {@code m}. */
    public NDArray logits(NDManager m, long step, int teacher) {
        int s = Math.toIntExact(step);
        int rows = (int) (rowOffsets[s + 1] - rowOffsets[s]);
        long pos = dataStart + 4L * classes * (teachers * rowOffsets[s] + (long) teacher * rows);
        ByteBuffer b = ByteBuffer.allocate(4 * rows * classes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            readFully(channel, b, pos);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read step " + step + ": " + e.getMessage());
        }
        float[] z = new float[rows * classes];
        b.flip().asFloatBuffer().get(z);
        return HostArrays.floats(m, z, new Shape(rows, classes));
    }

    public int teachers() { return teachers; }

    private static String header(String fingerprint, int steps, int teachers, int classes) {
        return MAGIC + "\nsteps " + steps + "\nteachers " + teachers + "\nclasses " + classes + "\n" + fingerprint;
    }

    private static String firstDifference(String got, String want) {
        String[] a = got.split("\n");
        String[] b = want.split("\n");
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (!a[i].equals(b[i])) {
                return "it has '" + a[i] + "', this run needs '" + b[i] + "'";
            }
        }
        return "it has " + a.length + " header lines, this run needs " + b.length;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos);
            if (r < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += r;
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a read-only channel: nothing to lose
        }
    }
}
