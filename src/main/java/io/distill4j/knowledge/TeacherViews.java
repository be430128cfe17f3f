package io.distill4j.knowledge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.UserError;
import io.distill4j.util.HostArrays;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;

/**
 * The teachers' logits over every view of every image: a store any run reads, whatever its seed, schedule or
 * subset. Where augmentation has finitely many views (pad-crop and flip: (2 pad + 1)^2 x 2, 50 at pad 2), each
 * image's views are enumerated once, the teachers' logits of each written here, and a run looks up the view it drew
 * ({@code HostBatch.viewCodes}) instead of running the teachers. Images are found by the SHA-256 of their pixels
 * (its first 8 bytes), so a store built over a data set's training images serves every run whose training split
 * is drawn from them (any hold-out, any subset).
 *
 * Where views are sampled rather than enumerated (random-resized crops of streamed images: K regions and flips an
 * image), each image's block also holds its views' geometry (float32 each: x, y, width, height, flip), and images are
 * keyed by their file's path.
 *
 * <p>File: the header's length (int32, little-endian) and the header (UTF-8: format, the fingerprint of what the
 * logits depend on, the counts); the images' keys (int64 each); then per image its geometry ({@code geometry}
 * floats, none for enumerated views) and, per view, per teacher, the {@code classes} logits as IEEE half floats
 * ({@link Float16}: relative rounding 2^-11, any temperature and any transformation of the logits can be applied to
 * them). 2 x views x teachers x classes bytes an image: 1,000 bytes at 50 views, one teacher, 10 classes.
 */
public final class TeacherViews implements AutoCloseable {
    private static final String MAGIC = "distill4j-teacher-views-1";
    private static final long CHUNK = 1L << 30; // mapped in pieces of at most 1 GiB, aligned to an image's rows

    private final Path file;
    private final FileChannel channel;
    private final MappedByteBuffer[] chunks;
    private final long imagesPerChunk;
    private final Map<Long, Integer> rowOfKey;
    private final int views;
    private final int teachers;
    private final int classes;
    private final int geometry;

    private TeacherViews(Path file, FileChannel channel, MappedByteBuffer[] chunks, long imagesPerChunk,
                         Map<Long, Integer> rowOfKey, int views, int teachers, int classes, int geometry) {
        this.file = file;
        this.channel = channel;
        this.chunks = chunks;
        this.imagesPerChunk = imagesPerChunk;
        this.rowOfKey = rowOfKey;
        this.views = views;
        this.teachers = teachers;
        this.classes = classes;
        this.geometry = geometry;
    }

    public Path file() { return file; }

    public int views() { return views; }

    public int images() { return rowOfKey.size(); }

    /** One image's entry: its views' geometry (empty for enumerated views) and every teacher's logits of them. */
    public record Entry(float[] geometry, float[][] logits) {}

    /** What a store is built from: every teacher's logits of every view of one image. */
    public interface Source {
        /** Image {@code image} of the build: {@code logits[teacher][view * classes + class]}. */
        Entry image(int image);
    }

    /** A key for a text (a file's path): the first 8 bytes of its UTF-8 SHA-256. */
    public static long key(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return key(b, 0, b.length);
    }

    /** The key of an image: the first 8 bytes of the SHA-256 of its pixels. */
    public static long key(byte[] pixels, int offset, int length) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(pixels, offset, length);
            return ByteBuffer.wrap(d.digest()).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String header(String fingerprint, int images, int views, int teachers, int classes,
                                 int geometry) {
        return MAGIC + "\n" + fingerprint + "images " + images + "\nviews " + views + "\nteachers " + teachers
                + "\nclasses " + classes + "\ngeometry " + geometry + "\nencoding float16\n";
    }

    private static long imageBytes(int views, int teachers, int classes, int geometry) {
        return 4L * geometry + 2L * views * teachers * classes;
    }

    /**
     * Writes the store of {@code keys.length} images to {@code file}, atomically (a temporary file renamed into
     * place when complete: an interrupted build leaves nothing that looks finished), and opens it.
     */
    public static TeacherViews build(Path file, String fingerprint, long[] keys, int views, int teachers, int classes,
                                     int geometry, Source source) {
        Path tmp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] h = header(fingerprint, keys.length, views, teachers, classes, geometry)
                        .getBytes(StandardCharsets.UTF_8);
                ByteBuffer head = ByteBuffer.allocate(4 + h.length + 8 * keys.length).order(ByteOrder.LITTLE_ENDIAN);
                head.putInt(h.length).put(h);
                for (long k : keys) {
                    head.putLong(k);
                }
                TeacherOutputs.writeAll(out, head.flip());
                ByteBuffer row = ByteBuffer.allocate((int) imageBytes(views, teachers, classes, geometry))
                        .order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < keys.length; i++) {
                    Entry e = source.image(i);
                    float[][] z = e.logits();
                    row.clear();
                    if (e.geometry().length != geometry) {
                        throw new IllegalStateException("image " + i + ": " + e.geometry().length + " geometry values, "
                                + "expected " + geometry);
                    }
                    for (float g : e.geometry()) {
                        row.putFloat(g);
                    }
                    for (int v = 0; v < views; v++) {
                        for (int t = 0; t < teachers; t++) {
                            if (z[t].length != views * classes) {
                                throw new IllegalStateException("image " + i + ": " + z[t].length + " logits, expected "
                                        + views * classes);
                            }
                            for (int c = 0; c < classes; c++) {
                                row.putShort(Float16.toHalf(z[t][v * classes + c]));
                            }
                        }
                    }
                    TeacherOutputs.writeAll(out, row.flip());
                }
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UserError(file + ": cannot write the teacher views: " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the build's own error says what went wrong
            }
        }
        return open(file, fingerprint, views, teachers, classes, geometry);
    }

    /** Opens a store, refusing one built for other teachers, views or images (another fingerprint) or truncated. */
    public static TeacherViews open(Path file, String fingerprint, int views, int teachers, int classes,
                                    int geometry) {
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            try {
                ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                TeacherOutputs.readFully(ch, len, 0);
                int n = len.flip().getInt();
                if (n <= MAGIC.length() || n > 1 << 20) {
                    throw new UserError(file + ": not a teacher-views file (delete it to rebuild)");
                }
                ByteBuffer hb = ByteBuffer.allocate(n);
                TeacherOutputs.readFully(ch, hb, 4);
                String got = new String(hb.array(), StandardCharsets.UTF_8);
                int images = images(file, got);
                String want = header(fingerprint, images, views, teachers, classes, geometry);
                if (!got.equals(want)) {
                    throw new UserError(file + ": built for other teachers, views or images ("
                            + TeacherOutputs.firstDifference(got, want) + "); delete it to rebuild, or set "
                            + "train.teacher_views to another file");
                }
                long keysAt = 4L + n;
                long dataAt = keysAt + 8L * images;
                long per = imageBytes(views, teachers, classes, geometry);
                if (ch.size() != dataAt + per * images) {
                    throw new UserError(file + ": " + ch.size() + " bytes, expected " + (dataAt + per * images)
                            + " (truncated?); delete it to rebuild");
                }
                ByteBuffer kb = ByteBuffer.allocate(8 * images).order(ByteOrder.LITTLE_ENDIAN);
                TeacherOutputs.readFully(ch, kb, keysAt);
                kb.flip();
                Map<Long, Integer> rows = new HashMap<>(images * 2);
                for (int i = 0; i < images; i++) {
                    rows.putIfAbsent(kb.getLong(), i); // identical pictures have identical views
                }
                long perChunk = Math.max(1, CHUNK / per);
                MappedByteBuffer[] chunks = new MappedByteBuffer[(int) ((images + perChunk - 1) / perChunk)];
                for (int c = 0; c < chunks.length; c++) {
                    long first = c * perChunk;
                    long count = Math.min(perChunk, images - first);
                    chunks[c] = ch.map(FileChannel.MapMode.READ_ONLY, dataAt + first * per, count * per);
                    chunks[c].order(ByteOrder.LITTLE_ENDIAN);
                }
                return new TeacherViews(file, ch, chunks, perChunk, rows, views, teachers, classes, geometry);
            } catch (RuntimeException | IOException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UserError(file + ": cannot read the teacher views: " + e.getMessage());
        }
    }

    private static int images(Path file, String header) {
        for (String line : header.split("\n")) {
            if (line.startsWith("images ")) {
                return Integer.parseInt(line.substring(7));
            }
        }
        throw new UserError(file + ": not a teacher-views file (delete it to rebuild)");
    }

    /** Geometry value {@code index} of the image at {@code row} (sampled views: 5 a view: x, y, width, height, flip). */
    public float geometry(int row, int index) {
        long per = imageBytes(views, teachers, classes, geometry);
        return chunks[(int) (row / imagesPerChunk)].getFloat((int) ((row % imagesPerChunk) * per + 4L * index));
    }

    /** The store's row of the image with this key, or -1 when the store does not hold it. */
    public int row(long key) {
        return rowOfKey.getOrDefault(key, -1);
    }

    /** Teacher {@code teacher}'s logits of view {@code codes[i]} of stored image {@code rows[i]}, as (N, classes). */
    public NDArray logits(NDManager m, int[] rows, int[] codes, int teacher) {
        float[] z = new float[rows.length * classes];
        long per = imageBytes(views, teachers, classes, geometry);
        for (int i = 0; i < rows.length; i++) {
            if (codes[i] < 0 || codes[i] >= views) {
                throw new IllegalStateException("view " + codes[i] + " of " + views);
            }
            MappedByteBuffer chunk = chunks[(int) (rows[i] / imagesPerChunk)];
            int at = (int) ((rows[i] % imagesPerChunk) * per + 4L * geometry
                    + 2L * ((long) codes[i] * teachers + teacher) * classes);
            for (int c = 0; c < classes; c++) {
                z[i * classes + c] = Float16.toFloat(chunk.getShort(at + 2 * c));
            }
        }
        return HostArrays.floats(m, z, new Shape(rows.length, classes));
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only
        }
    }
}
