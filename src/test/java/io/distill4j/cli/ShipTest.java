package io.distill4j.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.ConsoleCapture;
import io.distill4j.FloatBounds;
import io.distill4j.data.Datasets;
import io.distill4j.data.IdxReader;
import io.distill4j.data.ImageDataset;
import io.distill4j.inference.Classifier;
import io.distill4j.models.ModelRegistry;
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
        float[] logits;
        try (Classifier c = Classifier.load(run)) {
            assertThat(c.runtime()).isEqualTo("distill4j");
            logits = c.logits(pixels, n);
            expected = Classifier.softmax(logits, 10);
        }
        double g = resnet8Bound();
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
                    double p = c.get("probability").getAsDouble();
                    float want = expected[i * 10 + index];
                    if (model == djl) {
                        // exact: the same network on the same pixels, batch and kernels (the exported block
                        // normalises with the same two IEEE operations as the checkpoint's runner), the same Java
                        // softmax; the JSON double is the float's own value
                        assertThat((float) p).as("%s image %d class %d", model, i, index).isEqualTo(want);
                    } else {
                        assertThat(p).as("%s image %d class %d", model, i, index)
                                .isCloseTo(want, within(probabilityBound(want, logits, i, g)));
                    }
                }
            }
        }
        console.resetOut();
        assertThat(Main.execute("predict", "--model", onnx.toString(), files[0])).as(console.err()).isZero();
        assertThat(console.out()).startsWith(files[0] + ":").contains("%").hasLineCount(1);
    }

    /**
     * The forward-error bound of resnet8 on 28x28 images, relative to a sample's largest logit
     * ({@link FloatBounds#network}): what two computations of the student's logits (libtorch and ONNX Runtime, or
     * two batchings) can differ by is twice that.
     */
    static double resnet8Bound() {
        try (NDManager m = NDManager.newBaseManager()) {
            return FloatBounds.network(ModelRegistry.buildAndInit("resnet8", 1, 10, 28, 28, m), 28 * 28);
        }
    }

    /**
     * A bound on |probability from other logits - probability p| for class c of sample i: the logits differ by at
     * most delta = 2 g max|z_i| each, which moves p by a factor at most e^(2 delta) (softmax: log p_c moves by at most
     * |dz_c| + max|dz|); and each side's Java softmax rounds logit - max in float (u |z_c - m| <= u (-log p_c), and
     * sum_i p_i u |z_i - m| <= u log k through the sum) and casts the double quotient (u).
     */
    static double probabilityBound(float p, float[] logits, int i, double g) {
        double scale = 0;
        for (int j = 0; j < 10; j++) {
            scale = Math.max(scale, Math.abs(logits[i * 10 + j]));
        }
        double delta = 2 * g * scale;
        double rounding = 2 * FloatBounds.U * (1 - Math.log(Math.max(p, 1e-30)) + Math.log(10));
        return 1.01 * p * (Math.expm1(2 * delta) + 2 * rounding);
    }

    /**
     * eval of each export against eval of the checkpoint on the 2,000 test images. The exports compute the logits
     * with other kernels (ONNX Runtime) or other batches, and take the softmax in Java where the checkpoint's eval
     * takes it in libtorch, so each logit of each is within g max|z| of the exact one ({@link #resnet8Bound}):
     * <ul>
     * <li>top-1 and top-5 can differ only on images where the exact logits' margin between the 1st and 2nd (5th and
     * 6th) is at most 2 g max|z|: here the checkpoint's logits, within g max|z| themselves, give at most 4 g max|z|.
     * The scores may differ by the number of such images, over 2,000;</li>
     * <li>the loss, the mean of -log p_label: log-softmax moves by at most twice the largest logit change, 4 g max|z|
     * per image, plus each side's softmax rounding ((k + 6) u, then -log in double).</li>
     * </ul>
     */
    @Test
    void evalOfAnExportGivesTheCheckpointsTop1() {
        assertThat(Main.execute("eval", "-c", run.resolve("config.yaml").toString(), "--checkpoint",
                run.resolve("checkpoints/best.ckpt").toString(), "--json")).as(console.err()).isZero();
        JsonObject ckpt = JsonParser.parseString(console.out()).getAsJsonObject().getAsJsonObject("student");
        ImageDataset test = Datasets.embedded().test();
        int size = test.sampleBytes();
        float[] pixels = new float[test.size() * size];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (test.pixels()[i] & 0xff) / 255f;
        }
        float[] z;
        try (Classifier c = Classifier.load(run.resolve("checkpoints/best.ckpt"))) {
            z = c.logits(pixels, test.size());
        }
        double g = resnet8Bound();
        int top1Ambiguous = 0;
        int top5Ambiguous = 0;
        double lossBound = 0;
        for (int i = 0; i < test.size(); i++) {
            float[] row = Arrays.copyOfRange(z, i * 10, (i + 1) * 10);
            double scale = 0;
            for (float v : row) {
                scale = Math.max(scale, Math.abs(v));
            }
            float[] sorted = row.clone();
            Arrays.sort(sorted); // ascending: [9] the largest, [5] the 5th, [4] the 6th
            double margin = 1.01 * 4 * g * scale;
            top1Ambiguous += sorted[9] - sorted[8] <= margin ? 1 : 0;
            top5Ambiguous += sorted[5] - sorted[4] <= margin ? 1 : 0;
            lossBound += 1.01 * 4 * g * scale;
        }
        lossBound = lossBound / test.size() + 2 * (10 + 6) * FloatBounds.U;
        for (Path model : List.of(onnx, djl)) {
            console.resetOut();
            assertThat(Main.execute("eval", "--model", model.toString(), "--json")).as(console.err()).isZero();
            JsonObject exported = JsonParser.parseString(console.out()).getAsJsonObject().getAsJsonObject("student");
            assertThat(exported.get("top1").getAsDouble()).as("%s (%d ambiguous images)", model, top1Ambiguous)
                    .isCloseTo(ckpt.get("top1").getAsDouble(), within((top1Ambiguous + 1e-6) / test.size()));
            assertThat(exported.get("top5").getAsDouble()).as("%s (%d ambiguous images)", model, top5Ambiguous)
                    .isCloseTo(ckpt.get("top5").getAsDouble(), within((top5Ambiguous + 1e-6) / test.size()));
            assertThat(exported.get("loss").getAsDouble()).as("%s (bound %.3g)", model, lossBound)
                    .isCloseTo(ckpt.get("loss").getAsDouble(), within(lossBound));
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
