package io.distill4j.loop;

import com.google.gson.JsonParser;
import io.distill4j.ConsoleCapture;
import io.distill4j.ImageFiles;
import io.distill4j.RunFiles;
import io.distill4j.cli.Main;
import io.distill4j.config.ConfigLoader;
import io.distill4j.data.BatchLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.run.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Image folders and image lists streamed from disk: the same batches whatever the workers, exact resume, bad files. */
class StreamingTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    static String config(Path root, String extra) {
        return """
                seed: 3
                data: {name: image-folder, root: %s, image_size: 24, crop: random-resized, color_jitter: 0.2,
                       cutout: 6, prefetch: 2%s}
                networks:
                  student: {arch: resnet8}
                train: {epochs: 2, batch_size: 16, eval_batch_size: 10, log_every: 1, threads: 1}
                optim: {lr: 0.05, schedule: cosine}
                method: {name: baseline}
                """.formatted(root, extra);
    }

    Path folder() throws IOException {
        Path root = dir.resolve("photos");
        ImageFiles.folder(root, 3, 24); // 72 training images (36 JPEG, 36 PNG), 18 validation
        return root;
    }

    @Test
    void oneAndFourWorkersGiveTheSameBatchesAndTheSameWeights() throws IOException {
        Path root = folder();
        Path c1 = Files.writeString(dir.resolve("w1.yaml"), config(root, ", workers: 1"));
        Path c4 = Files.writeString(dir.resolve("w4.yaml"), config(root, ", workers: 4"));
        try (Run r1 = Run.build(ConfigLoader.load(c1, List.of())); Run r4 = Run.build(ConfigLoader.load(c4, List.of()))) {
            assertThat(r1.train().streamed()).isTrue();
            assertThat(r1.train().channels()).isEqualTo(3);
            for (BatchLoader[] pair : new BatchLoader[][] {{r1.trainLoader(), r4.trainLoader()},
                    {r1.testLoader(), r4.testLoader()}}) {
                for (int epoch = 0; epoch < 2; epoch++) {
                    for (int b = 0; b < pair[0].batchesPerEpoch(); b++) {
                        HostBatch x = pair[0].batch(epoch, b);
                        HostBatch y = pair[1].batch(epoch, b);
                        assertThat(y.indices()).containsExactly(x.indices());
                        assertThat(y.views()[0]).as("epoch %d batch %d", epoch, b).containsExactly(x.views()[0]);
                    }
                }
            }
            HostBatch again = r4.trainLoader().batch(0, 1); // a jump back rebuilds the same batch
            assertThat(again.views()[0]).containsExactly(r1.trainLoader().batch(0, 1).views()[0]);
        }
        List<float[]> w1 = ResumeTest.train(c1, dir.resolve("a"), false, null);
        List<float[]> w4 = ResumeTest.train(c4, dir.resolve("b"), false, null);
        for (int i = 0; i < w1.size(); i++) {
            assertThat(w4.get(i)).as("parameter %d", i).containsExactly(w1.get(i));
        }
    }

    @Test
    void resumeOnAStreamedFolderEqualsTheUninterruptedRun() throws IOException {
        Path root = folder();
        Path cfg = Files.writeString(dir.resolve("c.yaml"), config(root, ", workers: 2"));
        List<float[]> straight = ResumeTest.train(cfg, dir.resolve("a"), false, null);
        ResumeTest.train(cfg, dir.resolve("b"), false, 3L); // 4 steps per epoch: stop inside epoch 0
        List<float[]> resumed = ResumeTest.train(cfg, dir.resolve("b"), true, null);
        for (int i = 0; i < straight.size(); i++) {
            assertThat(resumed.get(i)).as("parameter %d", i).containsExactly(straight.get(i));
        }
        assertThat(RunFiles.metricsWithoutTiming(dir.resolve("b"))).isEqualTo(RunFiles.metricsWithoutTiming(dir.resolve("a")));

        ResumeTest.train(cfg, dir.resolve("d"), false, 3L);
        ImageFiles.write(root.resolve("train/c1"), 1, 99); // the folder changes under the stopped run
        assertThat(Main.execute("train", "--resume", dir.resolve("d").toString())).isEqualTo(2);
        assertThat(lastLine(console.err())).contains("train split", "changed", "73 images", "72 images");
    }

    @Test
    void imageListsTrainWithNamesOrIndices() throws IOException {
        List<Path> files = ImageFiles.folder(dir.resolve("pool"), 2, 12);
        StringBuilder train = new StringBuilder("path,label\n");
        StringBuilder test = new StringBuilder("path, label\n");
        for (Path f : files) {
            String rel = dir.relativize(f).toString();
            String cls = f.getParent().getFileName().toString();
            if (f.toString().contains("/train/")) {
                train.append(rel).append(',').append(cls.equals("c0") ? "cat" : "dog").append('\n');
            } else {
                test.append(rel).append(',').append(cls.equals("c0") ? "0" : "1").append('\n');
            }
        }
        Files.writeString(dir.resolve("train.csv"), train);
        Files.writeString(dir.resolve("test.csv"), test);
        Files.writeString(dir.resolve("classes.txt"), "cat\ndog\n");
        Path cfg = Files.writeString(dir.resolve("list.yaml"), """
                seed: 1
                data: {name: image-list, train_list: %s, test_list: %s, classes: %s, image_size: 20, workers: 2}
                networks: {student: {arch: resnet8}}
                train: {epochs: 1, batch_size: 8, threads: 1}
                method: {name: baseline}
                """.formatted(dir.resolve("train.csv"), dir.resolve("test.csv"), dir.resolve("classes.txt")));
        assertThat(Main.execute("train", "-c", cfg.toString(), "-o", dir.resolve("run").toString()))
                .as(console.err()).isZero();
        assertThat(dir.resolve("run/summary.json")).exists();
        assertThat(console.err() + console.out()).contains("test");
    }

    @Test
    void aTruncatedJpegStopsTheRunNamingItOrIsSkippedAndCounted() throws IOException {
        Path root = folder();
        Path bad = root.resolve("train/c2/img004.jpg");
        byte[] b = Files.readAllBytes(bad);
        Files.write(bad, Arrays.copyOf(b, b.length / 2));
        Path cfg = Files.writeString(dir.resolve("c.yaml"), config(root, ", workers: 2"));
        Path out = dir.resolve("stop");
        assertThat(Main.execute("train", "-c", cfg.toString(), "-o", out.toString())).isEqualTo(2);
        assertThat(lastLine(console.err())).startsWith("distill4j: error: " + bad).contains("truncated", "on_bad_image");
        assertThat(out.resolve("summary.json")).doesNotExist();

        Path skip = dir.resolve("skip");
        assertThat(Main.execute("train", "-c", cfg.toString(), "-o", skip.toString(), "--set",
                "data.on_bad_image=skip")).as(console.err()).isZero();
        assertThat(JsonParser.parseString(Files.readString(skip.resolve("summary.json"))).getAsJsonObject()
                .get("skipped_images").getAsInt()).isEqualTo(1);

        Path resumed = dir.resolve("skip-resumed"); // met before the stop, counted after the resume
        assertThat(Main.execute("train", "-c", cfg.toString(), "-o", resumed.toString(), "--set",
                "data.on_bad_image=skip", "--stop-after-steps", "5")).as(console.err()).isZero();
        assertThat(Main.execute("train", "--resume", resumed.toString())).as(console.err()).isZero();
        assertThat(JsonParser.parseString(Files.readString(resumed.resolve("summary.json"))).getAsJsonObject()
                .get("skipped_images").getAsInt()).isEqualTo(1);
    }

    @Test
    void problemsFoundWhileIndexingAreNamedInOneMessage() throws IOException {
        Path root = folder();
        Files.createDirectories(root.resolve("train/c9"));
        Files.writeString(root.resolve("train/c0/notes.txt"), "not an image");
        Files.writeString(root.resolve("train/c1/readme.md"), "not an image");
        Path cfg = Files.writeString(dir.resolve("c.yaml"), config(root, ""));
        assertThat(Main.execute("train", "-c", cfg.toString(), "-o", dir.resolve("o").toString())).isEqualTo(2);
        assertThat(lastLine(console.err())).contains("3 problem(s)", "notes.txt", "readme.md",
                "c9: class folder has no images");
    }

    static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1];
    }
}
