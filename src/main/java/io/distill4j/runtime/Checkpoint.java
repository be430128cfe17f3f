package io.distill4j.runtime;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.distill4j.UserError;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * distill4j's checkpoint: a JSON header (epoch, step, best scores, config, ...) and named binary blobs
 * (network parameters, optimizer buffers, the method's own state). Written to a temporary file, forced to
 * disk, then renamed over the old one, so a crash never leaves a half-written checkpoint.
 */
public final class Checkpoint {
    private static final byte[] MAGIC = "DISTILL4J-CKPT\n".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
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

        public boolean hasArrays(String key) { return Checkpoint.this.has(blobKey(key)); }

        /** A value that must be present; a one-line error naming the checkpoint and the key otherwise. */
        public com.google.gson.JsonElement require(String key) {
            if (!values.has(key)) {
                throw new UserError(origin + ": state '" + name + "' has no value '" + key + "'");
            }
            return values.get(key);
        }

        public String origin() { return origin; }

        private String blobKey(String key) { return "state/" + name + "/" + key; }
    }

    public void write(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream os = Channels.newOutputStream(ch);
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 20))) {
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
                out.write(MAGIC); // trailer: a cut-off file is detected on read
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UserError(file + ": cannot write checkpoint: " + e.getMessage(), e);
        }
    }

    public static Checkpoint read(Path file) {
        String where = file.toString();
        try (InputStream is = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 20))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new UserError(where + ": not a distill4j checkpoint");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new UserError(where + ": checkpoint version " + version + " is not supported (expected "
                        + VERSION + ")");
            }
            byte[] header = readExactly(in, in.readInt(), where);
            JsonObject meta = GSON.fromJson(new String(header, StandardCharsets.UTF_8), JsonObject.class);
            int n = in.readInt();
            Map<String, byte[]> blobs = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String key = in.readUTF();
                long len = in.readLong();
                if (len < 0 || len > Integer.MAX_VALUE) {
                    throw new UserError(where + ": corrupt checkpoint (entry '" + key + "' has length " + len + ")");
                }
                blobs.put(key, readExactly(in, (int) len, where));
            }
            if (!Arrays.equals(in.readNBytes(MAGIC.length), MAGIC)) {
                throw new UserError(where + ": checkpoint is truncated or corrupt (no trailer)");
            }
            return new Checkpoint(meta, blobs, where);
        } catch (NoSuchFileException e) {
            throw new UserError(where + ": checkpoint not found");
        } catch (EOFException e) {
            throw new UserError(where + ": checkpoint is truncated");
        } catch (JsonParseException e) {
            throw new UserError(where + ": checkpoint header is corrupt");
        } catch (IOException e) {
            throw new UserError(where + ": cannot read checkpoint: " + e.getMessage(), e);
        }
    }

    private static byte[] readExactly(DataInputStream in, int len, String where) throws IOException {
        if (len < 0) {
            throw new UserError(where + ": corrupt checkpoint (negative length)");
        }
        byte[] b = in.readNBytes(len);
        if (b.length != len) {
            throw new EOFException();
        }
        return b;
    }
}
