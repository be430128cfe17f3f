package io.distill4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.ConsoleCapture;
import io.distill4j.data.Datasets;
import io.distill4j.data.IdxReader;
import io.distill4j.data.ImageDataset;
import io.distill4j.inference.Classifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Ship the student from the command line: a tiny run trained on the embedded dataset, exported to ONNX and to DJL,
 * {@code predict} on PNG files, {@code eval --model} with the checkpoint's top-1; and the bad inputs of these
 * commands, each one line and exit 2.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShipTest {
    @TempDir
    static Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();
    private Path run;
    private Path onnx;
    private Path djl;

    @BeforeAll
    void trainAndExport() throws IOException {
        console.start();
        try {
            Path cfg = dir.resolve("tiny.yaml");
            Files.writeString(cfg, """
                    seed: 3
                    data: {name: fashion-mnist-mini, train_subset: 256}
                    networks: {student: {arch: resnet8}}
                    train: {epochs: 2, batch_size: 64, threads: 1}
                    optim: {lr: 0.05}
                    method: {name: dlb}
                    """);
            run = dir.resolve("run");
            onnx = dir.resolve("student-onnx");
            djl = dir.resolve("student-djl");
            assertThat(Main.execute("train", "-c", cfg.toString(), "-o", run.toString())).as(console.err()).isZero();
            assertThat(Main.execute("export", run.toString(), "--format", "onnx", "-o", onnx.toString())).as(console.err())
                    .isZero();
            assertThat(Main.execute("export", run.resolve("checkpoints/best.ckpt").toString(), "--network", "student",
                    "--format", "djl", "-o", djl.toString())).as(console.err()).isZero();
        } finally {
            console.stop();
        }
    }

    @Test
    void exportsHoldTheModelAndItsCard() throws IOException {
        assertThat(onnx.resolve("model.onnx")).isRegularFile();
        assertThat(djl.resolve("model-0000.params")).isRegularFile();
        assertThat(Files.readString(djl.resolve("serving.properties")))
                .contains("blockFactory=io.distill4j.export.ClassifierBlockFactory", "arch=resnet8", "flag=GRAYSCALE");
        assertThat(Files.readAllLines(djl.resolve("synset.txt"))).isEqualTo(IdxReader.FASHION_CLASSES);
        for (Path d : List.of(onnx, djl)) {
            JsonObject card = JsonParser.parseString(Files.readString(d.resolve("distill4j-model.json")))
                    .getAsJsonObject();
            assertThat(card.get("arch").getAsString()).isEqualTo("resnet8");
            assertThat(card.getAsJsonObject("input").get("channels").getAsInt()).isEqualTo(1);
            assertThat(card.getAsJsonObject("normalization").getAsJsonArray("mean").get(0).getAsFloat())
                    .isEqualTo(0.2860f);
            assertThat(card.get("checkpoint").getAsString()).endsWith("best.ckpt");
            assertThat(card.get("config").getAsString()).contains("fashion-mnist-mini");
        }
        try (Stream<Path> s = Files.list(dir)) { // no temporary folders left beside the exports
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
        }
    }

    /**
     * Test images written as PNG files: predict's probabilities (ONNX Runtime, DJL) equal the checkpoint's on the
     * dataset's own pixels, so decoding and preparing images is what training saw.
     */
    @Test
    void predictGivesTheCheckpointsProbabilitiesForPngFiles() throws IOException {
        ImageDataset test = Datasets.embedded().test();
        int n = 4;
        int size = test.sampleBytes();
        float[] pixels = new float[n * size];
        String[] files = new String[n];
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(test.width(), test.height(), BufferedImage.TYPE_BYTE_GRAY);
            for (int k = 0; k < size; k++) {
                int v = test.pixels()[i * size + k] & 0xff;
                img.getRaster().setSample(k % test.width(), k / test.width(), 0, v);
                pixels[i * size + k] = v / 255f;
            }
            Path f = dir.resolve("test" + i + ".png");
            ImageIO.write(img, "png", f.toFile());
            files[i] = f.toString();
        }
        float[] expected;
        try (Classifier c = Classifier.load(run)) {
            assertThat(c.runtime()).isEqualTo("distill4j");
            expected = Classifier.softmax(c.logits(pixels, n), 10);
        }
        for (Path model : List.of(onnx, djl)) {
            console.resetOut();
            String[] args = Stream.concat(Stream.of("predict", "--model", model.toString(), "--top", "10", "--json"),
                    Arrays.stream(files)).toArray(String[]::new);
            assertThat(Main.execute(args)).as(console.err()).isZero();
            JsonArray predictions = JsonParser.parseString(console.out()).getAsJsonObject().getAsJsonArray("predictions");
            assertThat(predictions).hasSize(n);
            for (int i = 0; i < n; i++) {
                JsonArray top = predictions.get(i).getAsJsonObject().getAsJsonArray("top");
                assertThat(top).hasSize(10);
                for (var e : top) {
                    JsonObject c = e.getAsJsonObject();
                    int index = c.get("index").getAsInt();
                    assertThat(c.get("class").getAsString()).isEqualTo(IdxReader.FASHION_CLASSES.get(index));
                    assertThat(c.get("probability").getAsDouble()).as("%s image %d class %d", model, i, index)
                            .isCloseTo(expected[i * 10 + index], within(1e-5));
                }
            }
        }
        console.resetOut();
        assertThat(Main.execute("predict", "--model", onnx.toString(), files[0])).as(console.err()).isZero();
        assertThat(console.out()).startsWith(files[0] + ":").contains("%").hasLineCount(1);
    }

    @Test
    void evalOfAnExportGivesTheCheckpointsTop1() {
        assertThat(Main.execute("eval", "-c", run.resolve("config.yaml").toString(), "--checkpoint",
                run.resolve("checkpoints/best.ckpt").toString(), "--json")).as(console.err()).isZero();
        JsonObject ckpt = JsonParser.parseString(console.out()).getAsJsonObject().getAsJsonObject("student");
        for (Path model : List.of(onnx, djl)) {
            console.resetOut();
            assertThat(Main.execute("eval", "--model", model.toString(), "--json")).as(console.err()).isZero();
            JsonObject exported = JsonParser.parseString(console.out()).getAsJsonObject().getAsJsonObject("student");
            assertThat(exported.get("top1").getAsDouble()).as("%s", model).isEqualTo(ckpt.get("top1").getAsDouble());
            assertThat(exported.get("top5").getAsDouble()).isEqualTo(ckpt.get("top5").getAsDouble());
            assertThat(exported.get("loss").getAsDouble()).isCloseTo(ckpt.get("loss").getAsDouble(), within(1e-4));
        }
    }

    @Test
    void badInputIsOneLineNamingItAndExitCode2() throws IOException {
        Path notImage = dir.resolve("notes.png");
        Files.writeString(notImage, "not an image");
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello");
        Path image = dir.resolve("blank.png");
        ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png", image.toFile());
        Path exportsDir = dir.resolve("not-a-model");
        Files.createDirectories(exportsDir);
        record Case(String[] args, String names) {}
        List<Case> cases = List.of(
                new Case(new String[] {"predict", "--model", onnx.toString(), notImage.toString()}, "notes.png"),
                new Case(new String[] {"predict", "--model", onnx.toString(), dir.resolve("gone.png").toString()},
                        "gone.png"),
                new Case(new String[] {"predict", "--model", dir.resolve("nothing").toString(), notImage.toString()},
                        "notes.png"), // images are checked first
                new Case(new String[] {"predict", "--model", exportsDir.toString(), image.toString()},
                        "not-a-model"),
                new Case(new String[] {"predict", "--model", onnx.toString(), "--top", "0", notImage.toString()}, "--top"),
                new Case(new String[] {"export", text.toString(), "--format", "onnx", "-o", dir.resolve("x").toString()},
                        "notes.txt"),
                new Case(new String[] {"export", dir.resolve("gone.ckpt").toString(), "--format", "onnx", "-o",
                        dir.resolve("x").toString()}, "gone.ckpt"),
                new Case(new String[] {"export", run.toString(), "--format", "tflite", "-o", dir.resolve("x").toString()},
                        "tflite"),
                new Case(new String[] {"export", run.toString(), "--network", "teacher", "--format", "onnx", "-o",
                        dir.resolve("x").toString()}, "teacher"),
                new Case(new String[] {"export", run.toString(), "--format", "onnx", "-o", onnx.toString()},
                        "--force"),
                new Case(new String[] {"export", run.toString(), "--format", "onnx", "-o", run.toString(), "--force"},
                        "not an export"),
                new Case(new String[] {"eval", "--model", exportsDir.toString()}, "not-a-model"),
                new Case(new String[] {"eval", "--model", onnx.toString(), "--split", "train"}, "--split"));
        for (Case c : cases) {
            console.resetErr();
            assertThat(Main.execute(c.args())).as("%s: %s", List.of(c.args()), console.err()).isEqualTo(2);
            assertThat(console.err()).as("%s", List.of(c.args())).contains(c.names()).doesNotContain("Exception")
                    .hasLineCount(1);
        }
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void forceReplacesAnEarlierExportOnly() throws IOException {
        Path again = dir.resolve("again");
        assertThat(Main.execute("export", run.toString(), "--format", "djl", "-o", again.toString())).as(console.err()).isZero();
        assertThat(Main.execute("export", run.toString(), "--format", "onnx", "-o", again.toString(), "--force"))
                .as(console.err()).isZero();
        assertThat(again.resolve("model.onnx")).isRegularFile();
        assertThat(again.resolve("serving.properties")).doesNotExist();
    }
}
