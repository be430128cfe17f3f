package io.distill4j.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.config.RunConfig;
import io.distill4j.data.IdxReader;
import io.distill4j.data.Normalization;
import io.distill4j.models.LinearHead;
import io.distill4j.models.ModelRegistry;
import io.distill4j.models.Network;
import io.distill4j.run.DataContract;
import io.distill4j.run.Run;
import io.distill4j.runfolder.RunFolder;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Checkpoints;
import io.distill4j.runtime.Net;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A checkpoint of an OKDCR-like run (a peer and its second head {@code student.c2}) read for export: the network by
 * default, the head on request (logits of the head on the peer's features), the run's data and normalisation in the
 * card, and a one-line error for a name the checkpoint does not hold.
 */
class TrainedNetworkTest {
    @TempDir
    Path dir;

    @Test
    void aNetworkOrItsSecondHeadIsReadFromACheckpointWithTheRunsData() {
        Path file = dir.resolve("best.ckpt");
        Random rnd = new Random(5);
        float[] pixels = new float[2 * 28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = rnd.nextInt(256) / 255f;
        }
        float[] expectedHead;
        float[] expectedNet;
        try (NDManager m = NDManager.newBaseManager()) {
            Network student = ModelRegistry.buildAndInit("resnet8", 1, 10, 28, 28, m);
            LinearHead head = LinearHead.create("linear-64-10", 64, 10, m);
            Checkpoint c = new Checkpoint();
            c.meta().addProperty("config", """
                    seed: 0
                    data: {name: fashion-mnist-mini, train_subset: 128}
                    networks: {student: {arch: resnet8}, peer: {arch: resnet8}}
                    method: {name: okdcr}
                    """);
            c.meta().addProperty("step", 7);
            Net net = new Net("student", student, m, null);
            Checkpoints.saveNetwork(c, net);
            Checkpoints.saveNetwork(c, new Net("student.c2", head, m, null));
            c.write(file);
            float[] x = new float[pixels.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = (pixels[i] - 0.2860f) / 0.3530f; // Fashion-MNIST's normalisation, as the Augmenter applies it
            }
            NDList out = net.forward(m.create(x, new Shape(2, 1, 28, 28)), false);
            expectedNet = out.get(0).toFloatArray();
            expectedHead = new Net("student.c2", head, m, null).logits(out.get(1), false).toFloatArray();
        }
        try (TrainedNetwork t = TrainedNetwork.load(file, "student.c2")) {
            assertThat(t.card().arch()).isEqualTo("resnet8");
            assertThat(t.card().head()).isEqualTo("linear-64-10");
            assertThat(t.card().classNames()).isEqualTo(IdxReader.FASHION_CLASSES);
            assertThat(t.card().mean()).containsExactly(0.2860f);
            assertThat(t.card().step()).isEqualTo(7);
            assertClose(logits(t, pixels), expectedHead);
        }
        try (TrainedNetwork t = TrainedNetwork.load(file, null)) {
            assertThat(t.card().network()).isEqualTo("student");
            assertThat(t.card().head()).isNull();
            assertClose(logits(t, pixels), expectedNet);
        }
        assertThatThrownBy(() -> TrainedNetwork.load(file, "teacher")).isInstanceOf(UserError.class)
                .hasMessageContaining("'teacher'").hasMessageContaining("student, student.c2");
    }

    @Test
    void theDataContractComesFromTheCheckpointWithoutBuildingTheRun() {
        Path file = dir.resolve("kd.ckpt");
        List<String> names = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint c = new Checkpoint();
            // a KD run whose teacher file is gone: building the run would fail on it; export must not need it
            c.meta().addProperty("config", """
                    seed: 0
                    data: {name: fashion-mnist-mini, train_subset: 128}
                    networks: {student: {arch: resnet8}}
                    teachers: {teacher: {arch: resnet20, checkpoint: /nonexistent/best.ckpt}}
                    method: {name: kd}
                    """);
            c.meta().addProperty("step", 3);
            c.meta().add("data", new DataContract(1, 28, 28, new Normalization(new float[] {0.5f},
                    new float[] {0.25f}), names).toJson());
            Checkpoints.saveNetwork(c, new Net("student", ModelRegistry.buildAndInit("resnet8", 1, 10, 28, 28, m), m,
                    null));
            c.write(file);
        }
        try (TrainedNetwork t = TrainedNetwork.load(file, null)) {
            assertThat(t.card().classNames()).isEqualTo(names);
            assertThat(t.card().mean()).containsExactly(0.5f);
            assertThat(t.card().std()).containsExactly(0.25f);
        }
    }

    @Test
    void aRunsCheckpointCarriesItsDataContract() throws IOException {
        Path cfg = dir.resolve("run.yaml");
        Files.writeString(cfg, """
                seed: 0
                data: {name: fashion-mnist-mini, train_subset: 64}
                networks: {student: {arch: resnet8}}
                train: {epochs: 1, batch_size: 32, threads: 1}
                """);
        RunConfig rc = ConfigLoader.load(cfg, List.of());
        try (Run run = Run.build(rc)) {
            new RunFolder(run, dir.resolve("out"), new PrintStream(OutputStream.nullOutputStream())).train(false, null);
        }
        DataContract written = DataContract.fromMeta(Checkpoint.read(dir.resolve("out/checkpoints/last.ckpt")).meta());
        DataContract expected = DataContract.of(ConfigLoader.load(cfg, List.of()));
        assertThat(written.classNames()).isEqualTo(expected.classNames()).isEqualTo(IdxReader.FASHION_CLASSES);
        assertThat(List.of(written.channels(), written.height(), written.width())).containsExactly(1, 28, 28);
        assertThat(written.normalization().mean()).containsExactly(expected.normalization().mean());
        assertThat(written.normalization().std()).containsExactly(expected.normalization().std());
    }

    private static float[] logits(TrainedNetwork t, float[] pixels) {
        try (NDManager m = t.manager().newSubManager()) {
            NDArray x = m.create(pixels, new Shape(2, 1, 28, 28));
            return t.block().forward(new ParameterStore(m, false), new NDList(x), false).get(0).toFloatArray();
        }
    }

    /**
     * Exact: the loaded block normalises with the same two IEEE float operations, (x - mean) / std, as the Java loop
     * above, and runs the same network on the same values with the same libtorch kernels in this process.
     */
    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).containsExactly(expected);
    }
}
