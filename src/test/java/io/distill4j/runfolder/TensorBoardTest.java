package io.distill4j.runfolder;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.RunFiles;
import io.distill4j.config.ConfigLoader;
import io.distill4j.run.Run;
import io.distill4j.tensorboard.EventFile;
import io.distill4j.tensorboard.TfRecord;
import io.distill4j.tensorboard.proto.Event;
import io.distill4j.tensorboard.proto.Summary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TensorBoard event files, read back by a reader written here (the TFRecord framing parsed by hand, both CRCs of
 * every record recomputed with a bitwise CRC32C of its own): the framing and version event of a file, published
 * CRC32C check values, and a real run whose events hold exactly the scalars of its metrics.jsonl, also when it was
 * stopped, ran on past its checkpoint, was killed mid-record and resumed.
 */
class TensorBoardTest {
    @TempDir
    static Path runs;

    static Path config;
    static Path straight;

    /** MKF for its diagnostics (knowledge age), a validation split and the train fit for three splits. */
    static final String CONFIG = """
            seed: 3
            data: {name: fashion-mnist-mini, train_subset: 192, validation: 300}
            networks: {student: {arch: resnet8}}
            train: {epochs: 2, batch_size: 32, eval_batch_size: 500, log_every: 4, threads: 1, train_fit: true,
                    tensorboard: true}
            optim: {lr: 0.05, schedule: cosine}
            method: {name: mkf, mkf: {groups: 2, log_knowledge_age: true}}
            """;

    static final int STEPS_PER_EPOCH = 192 / 32;

    @BeforeAll
    static void trainUninterrupted() throws IOException {
        config = runs.resolve("run.yaml");
        Files.writeString(config, CONFIG);
        straight = runs.resolve("straight");
        train(straight, false, null);
    }

    static void train(Path out, boolean resume, Long stopAfter) {
        try (Run run = Run.build(ConfigLoader.load(config, List.of()))) {
            new RunFolder(run, out, new PrintStream(new ByteArrayOutputStream())).train(resume, stopAfter);
        }
    }

    // ---- the reader

    /** CRC32C (Castagnoli: reflected polynomial 0x82F63B78, all-ones start and final xor), one bit at a time. */
    static int crc32c(byte[] bytes, int offset, int length) {
        int crc = 0xFFFFFFFF;
        for (int i = offset; i < offset + length; i++) {
            crc ^= bytes[i] & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
            }
        }
        return ~crc;
    }

    /** TensorFlow's mask: rotate right by 15 bits, add 0xa282ead8 (mod 2^32). */
    static int masked(int crc) {
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }

    /** Every record of an event file as an Event; fails on a bad CRC or a record cut short. */
    static List<Event> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (b.hasRemaining()) {
            int start = b.position();
            assertThat(b.remaining()).as("header of the record at byte %d", start).isGreaterThanOrEqualTo(12);
            long length = b.getLong();
            assertThat(b.getInt()).as("length CRC of the record at byte %d", start)
                    .isEqualTo(masked(crc32c(b.array(), start, 8)));
            assertThat(length).as("length of the record at byte %d", start).isBetween(0L, (long) b.remaining() - 4);
            byte[] data = new byte[(int) length];
            b.get(data);
            assertThat(b.getInt()).as("data CRC of the record at byte %d", start)
                    .isEqualTo(masked(crc32c(data, 0, data.length)));
            events.add(Event.parseFrom(data));
        }
        return events;
    }

    /** The one event file of a run. */
    static Path eventFile(Path run) throws IOException {
        try (var s = Files.list(run.resolve("tensorboard"))) {
            List<Path> files = s.toList();
            assertThat(files).hasSize(1);
            assertThat(files.get(0).getFileName().toString()).matches("events\\.out\\.tfevents\\.\\d{10}\\.[\\w.-]+");
            return files.get(0);
        }
    }

    /** One point of a chart. */
    record Scalar(long step, String tag, float value) {}

    /** The scalars of a file's events in order, after checking it holds one version event, first; images/s as 0. */
    static List<Scalar> scalars(List<Event> events) {
        assertThat(events).isNotEmpty();
        assertThat(events.get(0).getFileVersion()).isEqualTo("brain.Event:2");
        List<Scalar> out = new ArrayList<>();
        for (Event e : events.subList(1, events.size())) {
            assertThat(e.hasSummary()).as("only the first event names the version").isTrue();
            for (Summary.Value v : e.getSummary().getValueList()) {
                assertThat(v.hasSimpleValue()).as(v.getTag()).isTrue();
                out.add(new Scalar(e.getStep(), v.getTag(), timing(v.getTag()) ? 0 : v.getSimpleValue()));
            }
        }
        return out;
    }

    /** What metrics.jsonl says TensorBoard should show, in its order; images/s as 0. */
    static List<Scalar> expectedFromMetrics(Path run) throws IOException {
        List<Scalar> out = new ArrayList<>();
        for (String line : MetricsLog.readLines(MetricsLog.path(run))) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            String event = o.get("event").getAsString();
            if (event.equals("eval")) {
                long step = o.get("epoch").getAsLong() * STEPS_PER_EPOCH;
                String prefix = "eval/" + o.get("split").getAsString() + "/" + o.get("network").getAsString() + "/";
                for (String k : List.of("top1", "top5", "loss")) {
                    out.add(new Scalar(step, prefix + k, o.get(k).getAsFloat()));
                }
                continue;
            }
            String prefix = event.equals("train") ? "train/" : "diagnostic/";
            for (Map.Entry<String, JsonElement> e : o.entrySet()) {
                if (!List.of("event", "epoch", "step").contains(e.getKey())) {
                    String tag = prefix + e.getKey();
                    out.add(new Scalar(o.get("step").getAsLong(), tag, timing(tag) ? 0 : e.getValue().getAsFloat()));
                }
            }
        }
        return out;
    }

    static boolean timing(String tag) {
        return tag.equals("train/images_per_sec");
    }

    // ---- the tests

    @Test
    void anEventFileIsFramedTfRecordsStartingWithTheVersion(@TempDir Path dir) throws IOException {
        double before = System.currentTimeMillis() / 1000.0;
        EventFile file = EventFile.create(dir.resolve("tensorboard"));
        file.write(event(5, Map.of("train/lr", 0.1f)));
        file.write(event(6, Map.of("train/student/ce", 0f))); // a zero is still a value (oneof)
        file.write(event(6, Map.of("eval/test/student/top1", 0.75f)));
        file.close();
        double after = System.currentTimeMillis() / 1000.0;

        List<Event> events = read(eventFile(dir));
        assertThat(events).hasSize(4);
        assertThat(events.get(0).getWallTime()).isBetween(before - 1, after + 1);
        assertThat(scalars(events)).containsExactly(new Scalar(5, "train/lr", 0.1f),
                new Scalar(6, "train/student/ce", 0f), new Scalar(6, "eval/test/student/top1", 0.75f));
        // the header TensorBoard's own writers start every file with: a 24-byte version event (wall time and
        // "brain.Event:2"), its length's masked CRC32C
        byte[] head = Arrays.copyOf(Files.readAllBytes(file.path()), 12);
        assertThat(head).containsExactly(0x18, 0, 0, 0, 0, 0, 0, 0, 0xa3, 0x7f, 0x4b, 0x22);
    }

    private static Event event(long step, Map<String, Float> values) {
        Summary.Builder s = Summary.newBuilder();
        values.forEach((tag, v) -> s.addValue(Summary.Value.newBuilder().setTag(tag).setSimpleValue(v)));
        return Event.newBuilder().setWallTime(1).setStep(step).setSummary(s).build();
    }

    @Test
    void maskedCrc32cMatchesPublishedCheckValues() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        // the reader's CRC32C against the published check value and RFC 3720's (B.4) test vectors
        assertThat(crc32c(check, 0, 9)).isEqualTo(0xE3069283);
        assertThat(crc32c(new byte[32], 0, 32)).isEqualTo(0x8A9136AA);
        byte[] ones = new byte[32];
        Arrays.fill(ones, (byte) 0xFF);
        assertThat(crc32c(ones, 0, 32)).isEqualTo(0x62A8AB43);
        // 0xE3069283 rotated right by 15 is 0x25078c0d (its low 15 bits 0x1283 move to the top); + 0xa282ead8
        // is 0xc78ab0e5 (python3: ((c >> 15 | c << 17) + 0xa282ead8) & 0xffffffff)
        assertThat(TfRecord.maskedCrc32c(check, 0, 9)).isEqualTo(0xc78ab0e5);
        byte[] inside = ("xx" + "123456789" + "yy").getBytes(StandardCharsets.US_ASCII);
        assertThat(TfRecord.maskedCrc32c(inside, 2, 9)).isEqualTo(0xc78ab0e5);
        // an empty record: 8 zero length bytes, their masked CRC, and the masked CRC of nothing (0 + the delta)
        byte[] empty = TfRecord.frame(new byte[0]);
        assertThat(empty).hasSize(16);
        assertThat(ByteBuffer.wrap(empty).order(ByteOrder.LITTLE_ENDIAN).getInt(8))
                .isEqualTo(masked(crc32c(new byte[8], 0, 8)));
        assertThat(ByteBuffer.wrap(empty).order(ByteOrder.LITTLE_ENDIAN).getInt(12)).isEqualTo(0xa282ead8);
    }

    @Test
    void aRunsEventsHoldEveryScalarOfItsMetrics() throws IOException {
        List<Scalar> events = scalars(read(eventFile(straight)));
        assertThat(events).isEqualTo(expectedFromMetrics(straight));
        // what that covers: losses, lr, images/s, diagnostics, and the evaluations of every split at epoch ends
        assertThat(events).extracting(Scalar::tag).contains("train/lr", "train/images_per_sec",
                "diagnostic/knowledge_age_epochs", "eval/test/student/top1", "eval/validation/student/top5",
                "eval/train/student/loss").anyMatch(t -> t.matches("train/student/.+"));
        assertThat(events).filteredOn(s -> s.tag().endsWith("/top1")).extracting(Scalar::step)
                .containsOnly((long) STEPS_PER_EPOCH, 2L * STEPS_PER_EPOCH);
    }

    @Test
    void aRunKilledPastItsCheckpointResumesWithoutDuplicatedOrMissingSteps() throws IOException {
        Path out = runs.resolve("resumed");
        train(out, false, 3L);
        Path checkpoint = RunFolder.lastCheckpoint(out);
        Path atStep3 = runs.resolve("step3.ckpt");
        Files.copy(checkpoint, atStep3);
        train(out, true, 9L); // on past the epoch-6 evaluation
        // as if killed at step 9 with the step-3 checkpoint the last one, in the middle of a record: the file
        // holds steps 4 to 8 that the resumed run will write again
        assertThat(read(eventFile(out))).extracting(Event::getStep).contains(4L, 6L, 8L);
        Files.copy(atStep3, checkpoint, StandardCopyOption.REPLACE_EXISTING);
        Files.write(eventFile(out), new byte[] {0x30, 0, 0}, StandardOpenOption.APPEND);
        train(out, true, null);

        assertThat(scalars(read(eventFile(out)))).isEqualTo(scalars(read(eventFile(straight))));
        assertThat(RunFiles.metricsWithoutTiming(out)).isEqualTo(RunFiles.metricsWithoutTiming(straight));
    }
}
