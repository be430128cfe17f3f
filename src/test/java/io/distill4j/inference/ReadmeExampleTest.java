package io.distill4j.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.data.IdxReader;
import io.distill4j.export.ClassifierBlock;
import io.distill4j.export.Exporter;
import io.distill4j.export.ModelCard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's Java examples, as the README shows them, compile against distill4j and run: the Classifier example,
 * on an exported model and the example images, prints what the Classifier API gives; the training example trains
 * one epoch and prints the run's numbers.
 */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void theReadmesClassifierExampleCompilesAndRuns() throws Exception {
        Path classes = compile("classifier-example", "ClassifyImages");

        Path model = dir.resolve("model");
        exportSmallModel(model);
        List<String> images = List.of("examples/images/dress.png", "examples/images/ankle-boot.png");
        StringBuilder expected = new StringBuilder();
        try (Classifier c = Classifier.load(model)) {
            assertThat(c.runtime()).isEqualTo("onnxruntime");
            for (String image : images) {
                Prediction best = c.classify(Path.of(image), 1).get(0);
                expected.append(String.format(Locale.ROOT, "%s: %s (%.1f%%)%n", image, best.className(),
                        100 * best.probability()));
            }
        }

        List<String> args = new ArrayList<>();
        args.add(model.toString());
        args.addAll(images);
        assertThat(runMain(classes, "ClassifyImages", args)).isEqualTo(expected.toString())
                .contains(IdxReader.FASHION_CLASSES.stream().filter(expected.toString()::contains).findFirst()
                        .orElse("a Fashion-MNIST class name"));
    }

    /**
     * The README's training example trains one epoch into a new folder, prints nothing of its own but what the
     * listener and the result give, and those are the numbers of the run's summary.json.
     */
    @Test
    void theReadmesTrainingExampleCompilesAndRuns() throws Exception {
        Path classes = compile("training-example", "TrainStudent");
        Path out = dir.resolve("run");

        String printed = runMain(classes, "TrainStudent", List.of(out.toString()));

        JsonObject summary = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
        double top1 = summary.getAsJsonObject("networks").getAsJsonObject("student").get("best_top1").getAsDouble();
        assertThat(summary.get("best_epoch").getAsInt()).isEqualTo(1);
        assertThat(summary.getAsJsonObject("cost").get("epochs").getAsInt()).isEqualTo(1);
        assertThat(top1).isBetween(0.0, 1.0);
        assertThat(printed).isEqualTo(String.format(Locale.ROOT, "epoch 1: test top-1 %.4f%n"
                + "student: top-1 %.4f at epoch 1, run folder %s%n", top1, top1, out));
        assertThat(out.resolve("checkpoints/best.ckpt")).exists();
    }

    /** Extracts the Java block between the README's {@code <!-- marker -->} comments and compiles it. */
    private Path compile(String marker, String className) throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("<!-- " + marker);
        int end = readme.indexOf("<!-- /" + marker + " -->");
        assertThat(start).as("README's %s markers", marker).isNotNegative().isLessThan(end);
        String block = readme.substring(start, end);
        String code = block.substring(block.indexOf("```java") + "```java".length(), block.lastIndexOf("```"));
        assertThat(code).contains("public class " + className);

        Path src = dir.resolve("src/" + className + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, code);
        Path classes = Files.createDirectories(dir.resolve("classes-" + className));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-d", classes.toString(), "-cp",
                System.getProperty("java.class.path"), src.toString());
        assertThat(rc).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();
        return classes;
    }

    /** Runs the compiled program's main with {@code args} (in the root locale) and returns what it printed. */
    private String runMain(Path classes, String className, List<String> args) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream old = System.out;
        Locale oldLocale = Locale.getDefault();
        Locale.setDefault(Locale.ROOT);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                getClass().getClassLoader())) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            Method main = loader.loadClass(className).getMethod("main", String[].class);
            main.invoke(null, (Object) args.toArray(String[]::new));
        } finally {
            System.setOut(old);
            Locale.setDefault(oldLocale);
        }
        return printed.toString(StandardCharsets.UTF_8);
    }

    /** A resnet8 for 1x28x28 Fashion-MNIST images with random weights, exported to ONNX. */
    private static void exportSmallModel(Path out) {
        float[] mean = {0.2860f};
        float[] std = {0.3530f};
        try (NDManager manager = NDManager.newBaseManager()) {
            ClassifierBlock block = new ClassifierBlock("resnet8", null, 1, 10, mean, std).allocate(manager, 1, 28, 28);
            Random rnd = new Random(11);
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray a = p.getValue().getArray();
                if (p.getKey().endsWith("weight")) {
                    float[] v = new float[(int) a.size()];
                    double fanIn = a.getShape().size() / a.getShape().get(0);
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (rnd.nextGaussian() * Math.sqrt(2 / fanIn));
                    }
                    a.set(v);
                }
            }
            ModelCard card = new ModelCard("resnet8", "student", null, IdxReader.FASHION_CLASSES, 1, 28, 28, mean, std,
                    "fashion-mnist-mini", "baseline", "none", 0, "seed: 0\n");
            Exporter.export(block, card, Exporter.Format.ONNX, out, false);
        }
    }
}
