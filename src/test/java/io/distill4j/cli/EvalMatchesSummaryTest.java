package io.distill4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.ConsoleCapture;
import io.distill4j.runtime.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code eval} restores a run through the path training and {@code --resume} use, so it scores every output
 * of a checkpoint exactly as the run's own summary did, for methods that own networks (OKDCR's heads, MEAL
 * V2's discriminator) or state (DLB's last batch) too.
 */
class EvalMatchesSummaryTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    private static final String BASE = """
            seed: 3
            data: {name: fashion-mnist-mini, train_subset: 256, pad_crop: 2, flip: true}
            train: {epochs: 2, batch_size: 64, threads: 1}
            optim: {lr: 0.05}
            """;

    /** Trains {@code yaml}, evaluates its last checkpoint, and checks every output against the summary. */
    private void evalEqualsSummary(String name, String yaml) throws IOException {
        Path c = dir.resolve(name + ".yaml");
        Files.writeString(c, BASE + yaml);
        Path o = dir.resolve(name);
        assertThat(Main.execute("train", "-c", c.toString(), "-o", o.toString())).as(console.err()).isZero();
        JsonObject summary = JsonParser.parseString(Files.readString(o.resolve("summary.json"))).getAsJsonObject()
                .getAsJsonObject("networks");
        console.resetOut();
        assertThat(Main.execute("eval", "-c", o.resolve("config.yaml").toString(), "--json",
                "--checkpoint", o.resolve("checkpoints/last.ckpt").toString())).as(console.err()).isZero();
        JsonObject eval = JsonParser.parseString(console.out().trim()).getAsJsonObject();
        assertThat(eval.keySet()).isNotEmpty();
        for (String output : eval.keySet()) {
            assertThat(summary.has(output)).as("%s: summary has %s", name, output).isTrue();
            assertThat(eval.getAsJsonObject(output).get("top1").getAsDouble()).as("%s: %s", name, output)
                    .isEqualTo(summary.getAsJsonObject(output).get("last_top1").getAsDouble());
        }
    }

    @Test
    void okdcrEveryHeadPeerAndEnsemble() throws IOException {
        evalEqualsSummary("okdcr", """
                networks: {peer1: {arch: resnet8}, peer2: {arch: resnet8}}
                method: {name: okdcr}
                """);
    }

    @Test
    void dmlPeersAndEnsemble() throws IOException {
        evalEqualsSummary("dml", """
                networks: {peer1: {arch: resnet8}, peer2: {arch: resnet8}}
                method: {name: dml}
                """);
    }

    @Test
    void dlbWithItsStoredBatch() throws IOException {
        evalEqualsSummary("dlb", """
                networks: {student: {arch: resnet8}}
                method: {name: dlb}
                """);
    }

    @Test
    void mealV2WithItsDiscriminator() throws IOException {
        Path t = dir.resolve("teacher.yaml");
        Files.writeString(t, BASE + "networks: {teacher: {arch: resnet8}}\n");
        assertThat(Main.execute("train", "-c", t.toString(), "-o", dir.resolve("teacher").toString()))
                .as(console.err()).isZero();
        evalEqualsSummary("meal-v2", "networks: {student: {arch: resnet8}}\nteachers: {t1: {arch: resnet8, checkpoint: "
                + dir.resolve("teacher/checkpoints/last.ckpt") + "}}\nmethod: {name: meal-v2}\n");
    }

    @Test
    void aCheckpointWithNanWeightsIsAOneLineErrorNotA100PercentScore() throws IOException {
        Path c = dir.resolve("b.yaml");
        Files.writeString(c, BASE + "networks: {student: {arch: resnet8}}\n");
        Path o = dir.resolve("b");
        assertThat(Main.execute("train", "-c", c.toString(), "-o", o.toString())).as(console.err()).isZero();
        Checkpoint ck = Checkpoint.read(o.resolve("checkpoints/last.ckpt"));
        try (NDManager m = NDManager.newBaseManager()) {
            NDList params = ck.arrays("net/student/params", m);
            NDList nan = new NDList();
            for (NDArray a : params) {
                nan.add(a.mul(Float.NaN));
            }
            ck.putArrays("net/student/params", nan);
        }
        Path bad = dir.resolve("nan.ckpt");
        ck.write(bad);
        console.resetErr();
        assertThat(Main.execute("eval", "-c", o.resolve("config.yaml").toString(), "--checkpoint", bad.toString()))
                .isEqualTo(2);
        assertThat(console.err()).contains("nan.ckpt", "'student'", "NaN").doesNotContain("Exception").hasLineCount(1);
    }
}
