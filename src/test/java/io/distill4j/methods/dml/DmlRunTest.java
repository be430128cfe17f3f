package io.distill4j.methods.dml;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.config.ConfigLoader;
import io.distill4j.loop.Stepper;
import io.distill4j.run.Run;
import io.distill4j.runfolder.RunFolder;
import io.distill4j.runtime.Net;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DmlRunTest {
    @TempDir
    Path dir;

    @Test
    void peersTrainTogetherAndReportEachPeerTheirMeanAndTheEnsemble() throws IOException {
        for (String update : List.of("simultaneous", "sequential")) {
            Path cfg = dir.resolve(update + ".yaml");
            Files.writeString(cfg, """
                    seed: 4
                    data: {name: fashion-mnist-mini, train_subset: 256, labeled_fraction: 0.5}
                    networks: {a: {arch: resnet8}, b: {arch: resnet14}}
                    train: {epochs: 1, batch_size: 64, threads: 1}
                    method: {name: dml, dml: {update: UPDATE}}
                    """.replace("UPDATE", update));
            Path out = dir.resolve(update);
            try (Run r = Run.build(ConfigLoader.load(cfg, List.of()))) {
                new RunFolder(r, out, new PrintStream(new ByteArrayOutputStream())).train(false, null);
            }
            JsonObject s = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
            assertThat(s.getAsJsonObject("networks").keySet()).containsExactly("a", "b", "peers_mean", "ensemble");
            String metrics = Files.readString(out.resolve("metrics.jsonl"));
            assertThat(metrics).contains("\"a/kl\"").contains("\"b/ce\"").contains("\"network\":\"ensemble\"");
        }
    }

    /**
     * Sequential DML: the second peer learns from the first peer's prediction made with its updated weights;
     * simultaneous DML: from the prediction made before any update.
     */
    @Test
    void sequentialUpdatesTeachWithTheUpdatedPeersNewPrediction() throws IOException {
        for (String update : List.of("sequential", "simultaneous")) {
            Path cfg = dir.resolve("order-" + update + ".yaml");
            Files.writeString(cfg, """
                    seed: 9
                    data: {name: fashion-mnist-mini, train_subset: 128}
                    networks: {a: {arch: resnet8}, b: {arch: resnet8}}
                    train: {epochs: 1, batch_size: 64, threads: 1}
                    optim: {lr: 0.2}
                    method: {name: dml, dml: {update: UPDATE}}
                    """.replace("UPDATE", update));
            try (Run r = Run.build(ConfigLoader.load(cfg, List.of())); NDManager m = NDManager.newBaseManager()) {
                Net a = r.nets().get(0);
                NDArray x = r.trainLoader().batch(0, 0).view(m, 0);
                float[] aBefore = a.logits(x, true).toFloatArray();
                Stepper.Observed step = new Stepper(r).observe();
                float[] aAfter = a.logits(x, true).toFloatArray();
                assertThat(aAfter).isNotEqualTo(aBefore); // a took a step
                // what b learned from: a's logits as kept by the step (sequential: after a's update)
                float[] bLearnedFrom = step.output(update.equals("sequential") ? "seen/1/0" : "logits/0");
                // exact: the step's forward of a and the one here are the same training-mode forward of the same
                // weights on the same batch with the same kernels (BatchNorm uses the batch's statistics, so the
                // running statistics the extra forwards move change nothing)
                if (update.equals("sequential")) {
                    assertThat(bLearnedFrom).containsExactly(aAfter);
                } else {
                    assertThat(bLearnedFrom).containsExactly(aBefore);
                }
            }
        }
    }
}
