package io.distill4j.runtime;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.distill4j.UserError;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UTFDataFormatException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * distill4j's checkpoint: a JSON header (epoch, step, best scores, config, ...) and named binary blobs
 * (network parameters, optimizer buffers, the method's own state). Written to a temporary file, forced to
 * disk, then renamed over the old one, so a crash never leaves a half-written checkpoint.
 *
 * <p>The file (format version 2), numbers big-endian as {@link DataOutputStream} writes them: the magic number
 * {@code "DISTILL4J-CKPT\n"}; the version (int); the header's length (int) and the header (UTF-8 JSON); the
 * number of blobs (int) and, for each in order, its name ({@link DataOutputStream#writeUTF}), its length (long) and
 * its bytes; the magic number again as an end marker; then the CRC32C of every byte before it (int). {@link #read}
 * verifies the checksum before it parses anything, so any damage to the file, wherever it is, is reported as a
 * corrupt checkpoint rather than as whatever parsing it would have done.
 *
 * <p>Version 1 files (the same without the checksum, written before distill4j verified checkpoints) are still
 * read so that older runs can be resumed and evaluated; for them only the structure can be checked, so a damaged
 * blob may go unnoticed. They are never written any more.
 */
public final class Checkpoint {
    private static final byte[] MAGIC = "DISTILL4J-CKPT\n".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 2;
    /** Files without a checksum, still read. */
    private static final int LEGACY_VERSION = 1;
    private static final String REMEDY = "restore it from a copy or retrain";
    private static final Gson GSON = new Gson();

    private final JsonObject meta;
    private final Map<String, byte[]> blobs;
    private final String origin;

    public Checkpoint() {
        this(new JsonObject(), new LinkedHashMap<>(), "(new checkpoint)");
    }

    private Checkpoint(JsonObject meta, Map<String, byte[]> blobs, String origin) {
        this.meta = meta;
        this.blobs = blobs;
        this.origin = origin;
    }

    /** The header: free-form JSON, read by the trainer and by methods. */
    public JsonObject meta() { return meta; }

    public Set<String> keys() { return blobs.keySet(); }

    public boolean has(String key) { return blobs.containsKey(key); }

    public void putBytes(String key, byte[] data) { blobs.put(key, data); }

    public byte[] bytes(String key) {
        byte[] b = blobs.get(key);
        if (b == null) {
            throw new UserError(origin + ": checkpoint has no entry '" + key + "'");
        }
        return b;
    }

    public void putArrays(String key, NDList arrays) { blobs.put(key, arrays.encode()); }

    public NDList arrays(String key, NDManager manager) {
        return NDList.decode(manager, bytes(key));
    }

    public String origin() { return origin; }

    /** The section a {@link Stateful} owns, created when absent (for writing). */
    public Section section(String name) {
        JsonObject states = meta.has("state") ? meta.getAsJsonObject("state") : new JsonObject();
        meta.add("state", states);
        if (!states.has(name)) {
            states.add(name, new JsonObject());
        }
        return new Section(name, states.getAsJsonObject(name));
    }

    /** The section of a saved {@link Stateful}; a one-line error naming the checkpoint when it is absent. */
    public Section existingSection(String name) {
        if (!meta.has("state") || !meta.getAsJsonObject("state").has(name)) {
            throw new UserError(origin + ": checkpoint has no state '" + name + "' (was it written by another "
                    + "method or an older version of distill4j?)");
        }
        return new Section(name, meta.getAsJsonObject("state").getAsJsonObject(name));
    }

    /** One named part of a checkpoint: free-form JSON values and named arrays, all under the owner's name. */
    public final class Section {
        private final String name;
        private final JsonObject values;

        private Section(String name, JsonObject values) {
            this.name = name;
            this.values = values;
        }

        /** Small values (numbers, flags, maps of scores) as JSON. */
        public JsonObject values() { return values; }

        public void putArrays(String key, NDList arrays) { Checkpoint.this.putArrays(blobKey(key), arrays); }

        public NDList arrays(String key, NDManager manager) { return Checkpoint.this.arrays(blobKey(key), manager); }


        /** A value that must be present; a one-line error naming the checkpoint and the key otherwise. */
        public JsonElement require(String key) {
            if (!values.has(key)) {
                throw new UserError(origin + ": state '" + name + "' has no value '" + key + "'");
            }
            return values.get(key);
        }

        public String origin() { return origin; }

        private String blobKey(String key) { return "state/" + name + "/" + key; }
    }

    /**
     * Writes this checkpoint to {@code file} atomically: to a temporary file next to it, forced to disk, then
     * renamed over the old one. Afterwards removes the temporaries that earlier, interrupted writes of the same
     * file name left in that folder (a process killed mid-write cannot clean up after itself); other files'
     * temporaries are kept.
     */
    public void write(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            String name = file.getFileName().toString();
            Path tmp = Files.createTempFile(dir, name + ".", ".tmp");
            try {
                writeTo(tmp);
                move(tmp, file);
            } catch (IOException | RuntimeException e) {
                deleteQuietly(tmp);
                throw e;
            }
            removeStaleTemporaries(dir, name, tmp);
        } catch (IOException e) {
            throw new UserError(file + ": cannot write checkpoint: " + e.getMessage(), e);
        }
    }

    /** The whole file: body (see the class comment), then the CRC32C of the body, and forced to disk. */
    private void writeTo(Path tmp) throws IOException {
        CRC32C crc = new CRC32C();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
             OutputStream os = Channels.newOutputStream(ch);
             DataOutputStream out = new DataOutputStream(
                     new BufferedOutputStream(new CheckedOutputStream(os, crc), 1 << 20))) {
            out.write(MAGIC);
            out.writeInt(VERSION);
            byte[] header = GSON.toJson(meta).getBytes(StandardCharsets.UTF_8);
            out.writeInt(header.length);
            out.write(header);
            out.writeInt(blobs.size());
            for (var e : blobs.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue().length);
                out.write(e.getValue());
            }
            out.write(MAGIC); // end marker: a cut-off file is told apart from a damaged one
            out.flush();
            out.writeInt((int) crc.getValue());
            out.flush();
            ch.force(true);
        }
    }

    private static void move(Path tmp, Path file) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Deletes {@code <name>.<number>.tmp} (this version's temporaries) and {@code <name><number>.tmp} (older
     * versions') in {@code dir}, except {@code keep}. Writes of one file name are sequential in distill4j, so once
     * one has succeeded every other temporary of that name is left over from a killed process. Best effort: a
     * temporary that cannot be deleted is harmless and is left.
     */
    private static void removeStaleTemporaries(Path dir, String name, Path keep) {
        Pattern stale = Pattern.compile(Pattern.quote(name) + "\\.?-?[0-9]+\\.tmp");
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (stale.matcher(f.getFileName().toString()).matches() && !f.equals(keep)) {
                    deleteQuietly(f);
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            // best effort, see above
        }
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            // best effort: the caller has a more useful error to report, or none
        }
    }

    /**
     * Reads a checkpoint written by {@link #write} (format version 2, checksum verified before anything is
     * parsed) or by distill4j before checksums (version 1, checked for structure only). Any damage (a flipped
     * byte anywhere, a cut-off file, a file that is not a checkpoint) is a one-line {@link UserError} whose
     * message starts with the path.
     */
    public static Checkpoint read(Path file) {
        String where = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            byte[] start = readAt(ch, 0, MAGIC.length + 4);
            checkStart(start, where);
            int version = ByteBuffer.wrap(start, MAGIC.length, 4).getInt();
            boolean magicIntact = Arrays.equals(start, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
            if (magicIntact && version == LEGACY_VERSION) {
                return parse(ch, size, false, where);
            }
            verifyChecksum(ch, size, where);
            if (!magicIntact) { // only when a damaged file still matches its checksum by chance
                throw corrupt(where, "bad magic number");
            }
            if (version != VERSION) {
                throw new UserError(where + ": checkpoint version " + version + " is not supported (this distill4j "
                        + "reads versions " + LEGACY_VERSION + " and " + VERSION + "; was it written by a newer one?)");
            }
            return parse(ch, size, true, where);
        } catch (NoSuchFileException e) {
            throw new UserError(where + ": checkpoint not found");
        } catch (IOException e) {
            throw new UserError(where + ": cannot read checkpoint: " + e.getMessage(), e);
        }
    }

    /**
     * The magic number and version must be there. A start that differs from the magic number in a byte or two is
     * a damaged checkpoint (its checksum says so next); one that differs more is some other file.
     */
    private static void checkStart(byte[] start, String where) {
        if (start.length == 0) {
            throw truncated(where, "the file is empty");
        }
        int n = Math.min(start.length, MAGIC.length);
        int wrong = 0;
        for (int i = 0; i < n; i++) {
            wrong += start[i] == MAGIC[i] ? 0 : 1;
        }
        if (wrong > Math.min(2, n / 4)) {
            throw new UserError(where + ": not a distill4j checkpoint");
        }
        if (start.length < MAGIC.length + 4) {
            throw truncated(where, "only " + start.length + " bytes");
        }
    }

    /** The end marker must close the body, and the last 4 bytes must be the CRC32C of all the bytes before them. */
    private static void verifyChecksum(FileChannel ch, long size, String where) throws IOException {
        long body = size - 4;
        if (body < 2L * MAGIC.length + 12) {
            throw truncated(where, "only " + size + " bytes");
        }
        if (!Arrays.equals(readAt(ch, body - MAGIC.length, MAGIC.length), MAGIC)) {
            throw truncated(where, "no end marker");
        }
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        for (long pos = 0; pos < body; ) {
            buf.clear().limit((int) Math.min(buf.capacity(), body - pos));
            int got = ch.read(buf, pos);
            if (got < 0) {
                throw truncated(where, "the file shrank while being read");
            }
            crc.update(buf.flip());
            pos += got;
        }
        if ((int) crc.getValue() != ByteBuffer.wrap(readAt(ch, body, 4)).getInt()) {
            throw corrupt(where, "checksum mismatch");
        }
    }

    /** Up to {@code n} bytes at {@code pos}; fewer at the end of the file. */
    private static byte[] readAt(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining() && ch.read(buf, pos + buf.position()) > 0) {
            // read on
        }
        return Arrays.copyOf(buf.array(), buf.position());
    }

    /** The body after the magic number and version, which {@link #read} has checked. */
    private static Checkpoint parse(FileChannel ch, long size, boolean checksummed, String where) throws IOException {
        ch.position(MAGIC.length + 4);
        DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch), 1 << 20));
        try {
            JsonObject meta = parseHeader(readExactly(in, in.readInt(), size, where), where);
            Map<String, byte[]> blobs = readBlobs(in, size, where);
            if (!Arrays.equals(in.readNBytes(MAGIC.length), MAGIC)) {
                throw truncated(where, "no end marker");
            }
            if (checksummed) {
                in.skipNBytes(4);
            }
            if (in.read() != -1) {
                throw corrupt(where, "data after the end marker");
            }
            return new Checkpoint(meta, blobs, where);
        } catch (EOFException e) {
            throw truncated(where, "it ends early");
        } catch (UTFDataFormatException e) {
            throw corrupt(where, "unreadable entry name");
        }
    }

    private static JsonObject parseHeader(byte[] header, String where) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(header)).toString();
            JsonElement json = JsonParser.parseString(text);
            if (!json.isJsonObject()) {
                throw corrupt(where, "the header is not a JSON object");
            }
            return json.getAsJsonObject();
        } catch (CharacterCodingException | JsonParseException e) {
            throw corrupt(where, "unreadable header");
        }
    }

    private static Map<String, byte[]> readBlobs(DataInputStream in, long size, String where) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > size) {
            throw corrupt(where, "entry count " + n);
        }
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String key = in.readUTF();
            if (blobs.put(key, readExactly(in, in.readLong(), size, where)) != null) {
                throw corrupt(where, "entry " + (i + 1) + " repeats an earlier name");
            }
        }
        return blobs;
    }

    /** {@code len} bytes; a length that the file cannot hold is corruption, a short read is truncation. */
    private static byte[] readExactly(DataInputStream in, long len, long size, String where) throws IOException {
        if (len < 0 || len > size) {
            throw corrupt(where, "a length of " + len + " bytes in a file of " + size);
        }
        byte[] b = in.readNBytes((int) len);
        if (b.length != len) {
            throw new EOFException();
        }
        return b;
    }

    private static UserError corrupt(String where, String what) {
        return new UserError(where + ": checkpoint is corrupt (" + what + "): " + REMEDY);
    }

    private static UserError truncated(String where, String what) {
        return new UserError(where + ": checkpoint is truncated or corrupt (" + what + "): " + REMEDY);
    }
}
