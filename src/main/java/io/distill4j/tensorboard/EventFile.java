package io.distill4j.tensorboard;

import io.distill4j.UserError;
import io.distill4j.tensorboard.proto.Event;
import io.distill4j.util.Folders;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One TensorBoard event file, {@code events.out.tfevents.<unix seconds>.<host>}: {@link Event}s framed as
 * TFRecords, written to the file as they come (TensorBoard shows a live run), the first one naming the format
 * version. Like {@code metrics.jsonl}, a resumed run cuts the file back to its checkpointed length and appends.
 */
public final class EventFile implements AutoCloseable {
    public static final String FILE_VERSION = "brain.Event:2";

    private final Path path;
    private final FileChannel channel;

    private EventFile(Path path, long truncateTo) {
        this.path = path;
        try {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channel.truncate(truncateTo);
            channel.position(channel.size());
        } catch (IOException e) {
            throw new UserError(path + ": cannot open TensorBoard event file: " + e.getMessage());
        }
    }

    /** A new file in {@code folder} (created if absent), holding the version event. */
    public static EventFile create(Path folder) {
        Folders.create(folder);
        double now = wallTime();
        Path p = folder.resolve("events.out.tfevents." + (long) now + "." + hostName());
        EventFile f = new EventFile(p, 0);
        f.write(Event.newBuilder().setWallTime(now).setFileVersion(FILE_VERSION).build());
        return f;
    }

    /**
     * The file a checkpoint named, cut back to {@code length} bytes (what a killed run wrote after that checkpoint
     * goes), to append to; a new file when it is gone.
     */
    public static EventFile resume(Path file, long length) {
        return Files.exists(file) ? new EventFile(file, length) : create(file.getParent());
    }

    public void write(Event event) {
        ByteBuffer b = ByteBuffer.wrap(TfRecord.frame(event.toByteArray()));
        try {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            throw new UserError(path + ": cannot write TensorBoard events: " + e.getMessage());
        }
    }

    /** Forces what was written onto the disk, so that it survives a crash of the machine too. */
    public void flush() {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new UserError(path + ": cannot flush TensorBoard events: " + e.getMessage());
        }
    }

    public Path path() { return path; }

    /** Current length in bytes (stored in checkpoints). */
    public long length() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new UserError(path + ": " + e.getMessage());
        }
    }

    /** Flushes (see {@link #flush}) and closes; an error here is not raised, not to hide one that ended training. */
    @Override
    public void close() {
        try (channel) {
            channel.force(false);
        } catch (IOException ignored) {
            // every event is already with the operating system
        }
    }

    /** Seconds since the Unix epoch, TensorBoard's wall time. */
    public static double wallTime() {
        return System.currentTimeMillis() / 1000.0;
    }

    /** This machine's name as a file-name part (TensorBoard's writers put it there too); "localhost" if unknown. */
    private static String hostName() {
        String name;
        try {
            name = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            name = "localhost";
        }
        name = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return name.isEmpty() ? "localhost" : name;
    }
}
