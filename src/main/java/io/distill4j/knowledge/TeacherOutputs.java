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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;

/**
 * Teachers' logits stored for every training step of a run: because a batch, its augmentation and its mixing are
 * a pure function of (seed, epoch, batch index), the logits of the exact images the student sees at step s can be
 * computed once, written here, and read instead of running the teachers (KD, MEAL V2). Laid out step after step,
 * teacher after teacher, a batch's rows; a header names what it was built for (the fingerprint: seed, data,
 * batching, epochs, the teachers' architectures and checkpoint digests, the encoding), and a file built for
 * anything else is refused. Two encodings of a row of {@code classes} logits:
 * <ul>
 * <li>dense ({@code topK} 0): the float32 logits, exact (the student trains bit for bit as with the teachers
 * online); {@code 4 classes} bytes a row (20 epochs of 3,000 images, one teacher, 10 classes: 2.4 MB; 200
 * epochs of CIFAR-100 with two teachers: 8 GB);</li>
 * <li>top-k: the k largest logits (float32) and their classes (int16), and one fill logit for every other
 * class, chosen so that the softmax at the method's temperature T gives the k classes exactly their
 * probabilities and the others together exactly their residual mass, spread evenly:
 * {@code fill = T log(mean over the others of exp(z_j / T))}. {@code 6k + 4} bytes a row (k 5: 34 bytes,
 * against 400 for 100 classes and 4,000 for 1,000). Lossy: the distribution among the other classes is lost.</li>
 * </ul>
 */
public final class TeacherOutputs implements AutoCloseable {
    private static final String MAGIC = "distill4j-teacher-outputs-2";

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final long[] rowOffsets; // first row of each step
    private final int teachers;
    private final int classes;
    private final Encoding encoding;

    private TeacherOutputs(Path file, FileChannel channel, long dataStart, long[] rowOffsets, int teachers,
                           int classes, Encoding encoding) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.rowOffsets = rowOffsets;
        this.teachers = teachers;
        this.classes = classes;
        this.encoding = encoding;
    }

    /** How rows are stored: {@code topK} 0 for dense float32, else the top-k encoding at temperature T. */
    public record Encoding(int topK, double temperature) {
        public static final Encoding DENSE = new Encoding(0, 1);

        int rowBytes(int classes) {
            return topK == 0 ? 4 * classes : 6 * topK + 4;
        }

        String describe() {
            return topK == 0 ? "dense float32" : "top " + topK + " at temperature " + temperature;
        }
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
                                       Encoding encoding, Source source) {
        checkEncoding(file, encoding, classes);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeAll(out, ByteBuffer.wrap(headerBytes(fingerprint, rows.length, teachers, classes, encoding)));
                for (int s = 0; s < rows.length; s++) {
                    writeAll(out, encodeStep(s, rows[s], teachers, classes, encoding, source));
                }
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UserError(file + ": cannot write the teacher outputs: " + e.getMessage());
        }
        return open(file, fingerprint, rows, teachers, classes, encoding);
    }

    /** The file's first bytes: the header's length (int32, little-endian) and the header (UTF-8). */
    public static byte[] headerBytes(String fingerprint, int steps, int teachers, int classes, Encoding encoding) {
        byte[] header = header(fingerprint, steps, teachers, classes, encoding).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + header.length).order(ByteOrder.LITTLE_ENDIAN).putInt(header.length)
                .put(header).array();
    }

    /** Step {@code s}'s bytes: every teacher's rows, teacher after teacher. */
    private static ByteBuffer encodeStep(int s, int rows, int teachers, int classes, Encoding encoding, Source source) {
        float[][] z = source.logits(s);
        if (z.length != teachers) {
            throw new IllegalStateException("step " + s + ": " + z.length + " teachers, expected " + teachers);
        }
        ByteBuffer b = ByteBuffer.allocate(encoding.rowBytes(classes) * teachers * rows).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] t : z) {
            if (t.length != rows * classes) {
                throw new IllegalStateException("step " + s + ": " + t.length + " logits, expected " + rows * classes);
            }
            for (int r = 0; r < rows; r++) {
                encodeRow(t, r * classes, classes, encoding, b);
            }
        }
        return b.flip();
    }

    static void writeAll(FileChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    /**
     * A part of a store built apart (by another process, on another machine): steps {@code from} (inclusive) to
     * {@code to} (exclusive), their bytes as {@link #build} writes them, then the SHA-256 of the store's header, so
     * that a part of another store is never taken for this one's.
     */
    public record Part(Path file, int from, int to) {}

    /** The bytes of part {@code [from, to)}'s steps. */
    private static long partBytes(int[] rows, int from, int to, int teachers, int classes, Encoding encoding) {
        long n = 0;
        for (int s = from; s < to; s++) {
            n += rows[s];
        }
        return n * teachers * encoding.rowBytes(classes);
    }

    /** Whether {@code part} is present, complete and of the store whose header is {@code header}. */
    public static boolean partValid(Part part, byte[] header, int[] rows, int teachers, int classes, Encoding encoding) {
        try (FileChannel ch = FileChannel.open(part.file(), StandardOpenOption.READ)) {
            long data = partBytes(rows, part.from(), part.to(), teachers, classes, encoding);
            if (ch.size() != data + 32) {
                return false;
            }
            ByteBuffer d = ByteBuffer.allocate(32);
            readFully(ch, d, data);
            return Arrays.equals(d.array(), sha256(header));
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes a part atomically (a temporary file renamed into place), unless a valid one is there: true if written. */
    public static boolean writePart(Part part, byte[] header, int[] rows, int teachers, int classes, Encoding encoding,
                                    Source source) {
        checkEncoding(part.file(), encoding, classes);
        if (partValid(part, header, rows, teachers, classes, encoding)) {
            return false;
        }
        Path tmp = part.file().resolveSibling(part.file().getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.createDirectories(part.file().toAbsolutePath().getParent());
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (int s = part.from(); s < part.to(); s++) {
                    writeAll(out, encodeStep(s, rows[s], teachers, classes, encoding, source));
                }
                writeAll(out, ByteBuffer.wrap(sha256(header)));
                out.force(true);
            }
            Files.move(tmp, part.file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            throw new UserError(part.file() + ": cannot write the part of the teacher outputs: " + e.getMessage());
        }
    }

    /**
     * Joins valid parts that cover every step, in order, into the store at {@code file}: the same bytes as
     * {@link #build} writes (atomically, as it does).
     */
    public static void assemble(Path file, byte[] header, List<Part> parts, int[] rows, int teachers, int classes,
                                Encoding encoding) {
        int next = 0;
        for (Part p : parts) {
            if (p.from() != next || !partValid(p, header, rows, teachers, classes, encoding)) {
                throw new UserError(p.file() + ": missing, incomplete or of another store (steps " + p.from() + " to "
                        + p.to() + "); build the parts again");
            }
            next = p.to();
        }
        if (next != rows.length) {
            throw new UserError(file + ": the parts cover " + next + " of " + rows.length + " steps");
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeAll(out, ByteBuffer.wrap(header));
                for (Part p : parts) {
                    try (FileChannel in = FileChannel.open(p.file(), StandardOpenOption.READ)) {
                        long n = partBytes(rows, p.from(), p.to(), teachers, classes, encoding);
                        for (long pos = 0; pos < n; ) {
                            pos += in.transferTo(pos, n - pos, out);
                        }
                    }
                }
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UserError(file + ": cannot write the teacher outputs: " + e.getMessage());
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Opens a store, refusing one built for another run (another fingerprint) or of the wrong size. */
    public static TeacherOutputs open(Path file, String fingerprint, int[] rows, int teachers, int classes,
                                      Encoding encoding) {
        checkEncoding(file, encoding, classes);
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
                String want = header(fingerprint, rows.length, teachers, classes, encoding);
                if (!got.equals(want)) {
                    throw new UserError(file + ": built for another run (" + firstDifference(got, want) + "); delete "
                            + "it to rebuild, or set train.teacher_outputs to another file");
                }
                long[] offsets = new long[rows.length + 1];
                for (int s = 0; s < rows.length; s++) {
                    offsets[s + 1] = offsets[s] + rows[s];
                }
                long expected = 4L + n + (long) encoding.rowBytes(classes) * teachers * offsets[rows.length];
                if (ch.size() != expected) {
                    throw new UserError(file + ": " + ch.size() + " bytes, expected " + expected
                            + " (truncated?); delete it to rebuild");
                }
                return new TeacherOutputs(file, ch, 4L + n, offsets, teachers, classes, encoding);
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
        int rowBytes = encoding.rowBytes(classes);
        long pos = dataStart + (long) rowBytes * (teachers * rowOffsets[s] + (long) teacher * rows);
        ByteBuffer b = ByteBuffer.allocate(rowBytes * rows).order(ByteOrder.LITTLE_ENDIAN);
        try {
            readFully(channel, b, pos);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read step " + step + ": " + e.getMessage());
        }
        b.flip();
        float[] z = new float[rows * classes];
        for (int r = 0; r < rows; r++) {
            decodeRow(b, classes, encoding.topK(), z, r * classes);
        }
        return HostArrays.floats(m, z, new Shape(rows, classes));
    }

    /** Appends one row of logits ({@code z[off .. off + classes)}) to {@code out} in {@code encoding}. */
    static void encodeRow(float[] z, int off, int classes, Encoding encoding, ByteBuffer out) {
        int k = encoding.topK();
        if (k == 0) {
            for (int c = 0; c < classes; c++) {
                out.putFloat(z[off + c]);
            }
            return;
        }
        int[] top = new int[k]; // the k largest, largest first; a tie goes to the lower class (TopK's order)
        TopK.select(z, off, classes, k, top);
        boolean[] taken = new boolean[classes];
        for (int c : top) {
            taken[c] = true;
        }
        double t = encoding.temperature();
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            if (!taken[c]) {
                max = Math.max(max, z[off + c] / t);
            }
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            if (!taken[c]) {
                sum += Math.exp(z[off + c] / t - max);
            }
        }
        float fill = (float) (t * (max + Math.log(sum / (classes - k))));
        for (int i = 0; i < k; i++) {
            out.putShort((short) top[i]);
        }
        for (int i = 0; i < k; i++) {
            out.putFloat(z[off + top[i]]);
        }
        out.putFloat(fill);
    }

    /** Reads one row written by {@link #encodeRow} into {@code z[off .. off + classes)}. */
    static void decodeRow(ByteBuffer in, int classes, int topK, float[] z, int off) {
        if (topK == 0) {
            for (int c = 0; c < classes; c++) {
                z[off + c] = in.getFloat();
            }
            return;
        }
        int[] top = new int[topK];
        for (int i = 0; i < topK; i++) {
            top[i] = in.getShort();
        }
        float[] values = new float[topK];
        for (int i = 0; i < topK; i++) {
            values[i] = in.getFloat();
        }
        Arrays.fill(z, off, off + classes, in.getFloat());
        for (int i = 0; i < topK; i++) {
            z[off + top[i]] = values[i];
        }
    }

    private static void checkEncoding(Path file, Encoding encoding, int classes) {
        if (encoding.topK() < 0 || encoding.topK() >= classes || classes > Short.MAX_VALUE) {
            throw new UserError(file + ": train.teacher_outputs_top_k " + encoding.topK() + " for " + classes
                    + " classes: give 0 (dense) or 1 to " + (classes - 1) + (classes > Short.MAX_VALUE
                    ? " (and at most " + Short.MAX_VALUE + " classes)" : ""));
        }
        if (!(encoding.temperature() > 0) || Double.isInfinite(encoding.temperature())) {
            throw new IllegalArgumentException("temperature " + encoding.temperature());
        }
    }

    public int teachers() { return teachers; }

    private static String header(String fingerprint, int steps, int teachers, int classes, Encoding encoding) {
        return MAGIC + "\nsteps " + steps + "\nteachers " + teachers + "\nclasses " + classes + "\nencoding "
                + encoding.describe() + "\n" + fingerprint;
    }

    static String firstDifference(String got, String want) {
        String[] a = got.split("\n");
        String[] b = want.split("\n");
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (!a[i].equals(b[i])) {
                return "it has '" + a[i] + "', this run needs '" + b[i] + "'";
            }
        }
        return "it has " + a.length + " header lines, this run needs " + b.length;
    }

    static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
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
