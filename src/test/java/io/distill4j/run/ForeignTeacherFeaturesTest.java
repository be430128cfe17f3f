package io.distill4j.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.FloatBounds;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.knowledge.Teacher;
import io.distill4j.loop.Stepper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * A teacher from elsewhere that returns its feature maps (a TorchScript and an ONNX file whose card names the
 * outputs {@code [logits, features, stage1, stage2]}, made by {@code tools/make_feature_teacher.py}): its maps
 * equal PyTorch's, the two runtimes agree, a feature method trains from it, and a card that names the wrong
 * number of outputs is refused in one line.
 */
class ForeignTeacherFeaturesTest {
    static final Path FIXTURES = Path.of("src/test/resources/io/distill4j/teachers/with-features");

    @TempDir
    Path dir;

    private Run run(Path model, String method) throws IOException {
        Path cfg = dir.resolve("run.yaml");
        Files.writeString(cfg, """
                seed: 3
                data: {name: fashion-mnist-mini, train_subset: 64}
                networks: {student: {arch: resnet8}}
                teachers: {teacher: {model: MODEL}}
                train: {epochs: 1, batch_size: 32, threads: 1}
                optim: {lr: 0.1}
                method: METHOD
                """.replace("MODEL", model.toAbsolutePath().toString()).replace("METHOD", method));
        return Run.build(ConfigLoader.load(cfg, List.of()));
    }

    private static float[] floats(JsonObject o, String key) {
        JsonArray a = o.getAsJsonArray(key);
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = a.get(i).getAsFloat();
        }
        return f;
    }

    @Test
    void theMapsOfBothRuntimesEqualPyTorchsAndTheCardNamesTheStages() throws IOException {
        JsonObject expected = JsonParser.parseString(Files.readString(FIXTURES.resolve("expected.json")))
                .getAsJsonObject();
        for (String file : List.of("teacher.pt", "teacher.onnx")) {
            try (Run r = run(FIXTURES.resolve(file), "{name: kd}"); NDManager m = NDManager.newBaseManager()) {
                Teacher t = r.teachers().get(0);
                assertThat(t.stageNames()).containsOnlyKeys("stage1", "stage2");
                // the dataset's own input form: the teacher adapts (normalises with the card's statistics) itself,
                // so give it pixels that normalise to PyTorch's input
                float[] x = floats(expected, "input");
                float[] pixels = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    pixels[i] = x[i] * 0.3530f + 0.2860f;
                }
                float[] mean = r.normalization().mean();
                float[] std = r.normalization().std();
                NDArray in = m.create(pixels, new Shape(2, 1, 28, 28)).sub(mean[0]).div(std[0]);
                NDList out = t.features(in, List.of("stage2", "stage1"));
                // against PyTorch's, both float32 (the network of tools/make_feature_teacher.py: conv3x3 1 to 8,
                // BatchNorm, ReLU = stage1 (28x28); conv3x3 stride 2, 8 to 16, BatchNorm, ReLU = stage2 (14x14);
                // their average = features; linear 16 to 10): each output within its forward-error bound relative to
                // its magnitude (FloatBounds.network), and the input, x * 0.353 + 0.286 normalised back, within
                // 4 u of |x| + 0.81 (8 u: a layer more); twice that between the two. The maps are >= 0 (ReLU), so a
                // channel's sum over the map adds gamma(area) of itself
                double input = 8 * FloatBounds.U;
                double stage1 = input + FloatBounds.network(10, 9);
                double stage2 = stage1 + FloatBounds.network(10, 72);
                double features = stage2 + FloatBounds.gamma(14 * 14 + 1);
                double logits = features + FloatBounds.gamma(16 + 1);
                float[] z = out.get(0).toFloatArray();
                float[] zRef = floats(expected, "logits");
                double[] zBound = FloatBounds.perSample(z, zRef, 10, logits);
                for (int i = 0; i < z.length; i++) {
                    assertThat((double) z[i]).as(file + " logit " + i).isCloseTo(zRef[i], within(zBound[i]));
                }
                assertNonNegativeClose(out.get(1).toFloatArray(), floats(expected, "features"), 2 * features,
                        file + " pooled features");
                assertThat(out.get(2).getShape()).isEqualTo(new Shape(2, 16, 14, 14));
                assertNonNegativeClose(out.get(2).sum(new int[] {2, 3}).toFloatArray(),
                        floats(expected, "stage2_channel_sums"), 2 * (stage2 + FloatBounds.gamma(14 * 14)),
                        file + " stage2");
                assertNonNegativeClose(out.get(3).sum(new int[] {2, 3}).toFloatArray(),
                        floats(expected, "stage1_channel_sums"), 2 * (stage1 + FloatBounds.gamma(28 * 28)),
                        file + " stage1");
                // exact: the same forward of the same model on the same input (logits is the first output)
                assertThat(t.logits(in).toFloatArray()).containsExactly(out.get(0).toFloatArray());
            }
        }
    }

    /** |got - want| <= relative * want for values that are sums of non-negative terms. */
    private static void assertNonNegativeClose(float[] got, float[] want, double relative, String what) {
        assertThat(got).as(what).hasSameSizeAs(want);
        for (int i = 0; i < want.length; i++) {
            assertThat((double) got[i]).as("%s %d", what, i).isCloseTo(want[i], within(relative * Math.abs(want[i])));
        }
    }

    @Test
    void attentionTransferTrainsFromTheForeignTeachersMaps() throws IOException {
        try (Run r = run(FIXTURES.resolve("teacher.pt"), "{name: at, at: {stages: 'stage1,stage2'}}")) {
            Map<String, Float> losses = new Stepper(r).step();
            assertThat(losses).containsKeys("student/ce");
            assertThat(losses.keySet()).anyMatch(k -> k.startsWith("student/at"));
            losses.values().forEach(v -> assertThat(v).isFinite());
        }
    }

    @Test
    void aCardThatMiscountsTheOutputsOrAStageItLacksIsOneLine() throws IOException {
        Path bad = dir.resolve("bad");
        Files.createDirectories(bad);
        Files.copy(FIXTURES.resolve("teacher.pt"), bad.resolve("teacher.pt"));
        Files.writeString(bad.resolve("distill4j-model.json"), Files.readString(FIXTURES.resolve("distill4j-model.json"))
                .replace("\"stage2\"", "\"stage2\", \"stage3\""));
        assertThatThrownBy(() -> run(bad.resolve("teacher.pt"), "{name: kd}")).isInstanceOf(UserError.class)
                .hasMessageContaining("returns 4 outputs where its card's outputs names 5");
        assertThatThrownBy(() -> run(FIXTURES.resolve("teacher.pt"),
                "{name: at, at: {stages: 'stage1,stage2', teacher_stages: 'stage1,stage3'}}"))
                .isInstanceOf(UserError.class).hasMessageContaining("stage3").hasMessageContaining("stage1, stage2");
    }
}
