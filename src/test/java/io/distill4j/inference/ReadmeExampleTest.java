package io.distill4j.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
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
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's Java example, as the README shows it, compiles against distill4j and, run on an exported model and
 * the example images, prints what the Classifier API gives.
 */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void theReadmesClassifierExampleCompilesAndRuns() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("<!-- classifier-example");
        int end = readme.indexOf("<!-- /classifier-example -->");
        assertThat(start).as("README's classifier-example markers").isNotNegative().isLessThan(end);
        String block = readme.substring(start, end);
        String code = block.substring(block.indexOf("```java") + "```java".length(), block.lastIndexOf("```"));
        assertThat(code).contains("public class ClassifyImages");

        Path src = dir.resolve("src/ClassifyImages.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, code);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-d", classes.toString(), "-cp",
                System.getProperty("java.class.path"), src.toString());
        assertThat(rc).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

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

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream old = System.out;
        Locale oldLocale = Locale.getDefault();
        Locale.setDefault(Locale.ROOT);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                getClass().getClassLoader())) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            Method main = loader.loadClass("ClassifyImages").getMethod("main", String[].class);
            String[] args = new String[images.size() + 1];
            args[0] = model.toString();
            for (int i = 0; i < images.size(); i++) {
                args[i + 1] = images.get(i);
            }
            main.invoke(null, (Object) args);
        } finally {
            System.setOut(old);
            Locale.setDefault(oldLocale);
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo(expected.toString())
                .contains(IdxReader.FASHION_CLASSES.stream().filter(expected.toString()::contains).findFirst()
                        .orElse("a Fashion-MNIST class name"));
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
