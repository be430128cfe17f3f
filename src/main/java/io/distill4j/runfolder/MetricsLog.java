package io.distill4j.runfolder;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.distill4j.UserError;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * {@code OUT/metrics.jsonl}: one JSON object per line, appended and flushed line by line. On resume the file
 * is cut back to its length at the checkpoint, so a resumed run's metrics equal an uninterrupted run's.
 */
public final class MetricsLog implements AutoCloseable {
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();
    private final Path file;
    private final FileChannel channel;

    public MetricsLog(Path file, long truncateTo) {
        this.file = file;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (truncateTo >= 0) {
                channel.truncate(truncateTo);
            }
            channel.position(channel.size());
        } catch (IOException e) {
            throw new UserError(file + ": cannot open metrics log: " + e.getMessage());
        }
    }

    public void write(Map<String, Object> line) {
        byte[] bytes = (GSON.toJson(line) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            channel.write(ByteBuffer.wrap(bytes));
        } catch (IOException e) {
            throw new UserError(file + ": cannot write metrics: " + e.getMessage());
        }
    }

    /** Current length in bytes (stored in checkpoints). */
    public long length() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new UserError(file + ": " + e.getMessage());
        }
    }

    public static Path path(Path out) {
        return out.resolve("metrics.jsonl");
    }

    public static List<String> readLines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a log we only appended to
        }
    }
}
