package io.distill4j.analysis;

import ai.djl.nn.Parameter;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.ConsoleCapture;
import io.distill4j.FloatBounds;
import io.distill4j.cli.Main;
import io.distill4j.config.ConfigLoader;
import io.distill4j.data.BatchLoader;
import io.distill4j.run.Run;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Net;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code distill4j analyze} on two small finished runs (a baseline and DML with two peers): calibration scores
 * every output as the run's summary did, agreement pairs every output within a run, flatness measures the training
 * loss of the run's own network at sigma 0 and more loss under noise, restoring the weights exactly; the report
 * draws the three charts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnalyzeCommandTest {
    @TempDir
    static Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    private Path baseline;
    private Path dml;

    private static final String BASE = """
            seed: 3
            data: {name: fashion-mnist-mini, train_subset: 256, pad_crop: 2, flip: true}
            train: {epochs: 2, batch_size: 64, threads: 1}
            optim: {lr: 0.05}
            """;

    @BeforeAll
    void trainTwoRuns() throws IOException {
        baseline = train("baseline-seed3", "networks: {student: {arch: resnet8}}\nmethod: {name: baseline}\n");
        dml = train("dml-seed3", "networks: {peer1: {arch: resnet8}, peer2: {arch: resnet8}}\nmethod: {name: dml}\n");
    }

    private Path train(String name, String yaml) throws IOException {
        Path c = dir.resolve(name + ".yaml");
        Files.writeString(c, BASE + yaml);
        Path o = dir.resolve("runs").resolve(name);
        assertThat(Main.execute("train", "-c", c.toString(), "-o", o.toString())).isZero();
        return o;
    }

    private static JsonObject json(Path p) throws IOException {
        return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
    }

    @Test
    void calibrationScoresEveryOutputAsTheSummaryDid() throws IOException {
        assertThat(Main.execute("analyze", "calibration", baseline.toString(), dml.toString()))
                .as(console.err()).isZero();
        for (Path run : List.of(baseline, dml)) {
            JsonObject summary = json(run.resolve("summary.json")).getAsJsonObject("networks");
            AnalysisFiles.CalibrationFile f = AnalysisFiles.readCalibration(run);
            assertThat(f.source().split()).isEqualTo("test");
            assertThat(summary.keySet()).containsAll(f.outputs().keySet()); // the summary adds peers_mean
            assertThat(f.outputs()).hasSize(run == dml ? 3 : 1);
            f.outputs().forEach((name, c) -> {
                assertThat(c.top1()).as("%s %s", run, name)
                        .isEqualTo(summary.getAsJsonObject(name).get("last_top1").getAsDouble());
                assertThat(c.bins()).hasSize(15);
                assertThat(c.bins().stream().mapToLong(Calibration.Bin::count).sum()).isEqualTo(c.count());
                assertThat(c.ece()).isBetween(0.0, 1.0);
            });
        }
        assertThat(console.out()).contains("dml-seed3", "ensemble", "ECE%");
    }

    @Test
    void agreementPairsTheOutputsOfARunAndAcrossRuns() throws IOException {
        assertThat(Main.execute("analyze", "agreement", "--across", baseline.toString(), dml.toString()))
                .as(console.err()).isZero();
        AnalysisFiles.AgreementFile f = AnalysisFiles.readAgreement(dml);
        assertThat(f.pairs()).extracting(a -> a.a() + "/" + a.b())
                .containsExactly("peer1/peer2", "peer1/ensemble", "peer2/ensemble");
        for (Agreement a : f.pairs()) {
            assertThat(a.agreement()).isBetween(0.0, 1.0);
            assertThat(a.bothCorrect()).isLessThanOrEqualTo(a.eitherCorrect());
            assertThat(a.klAB()).isGreaterThanOrEqualTo(0.0);
        }
        assertThat(AnalysisFiles.readAgreement(baseline).pairs()).isEmpty();
        assertThat(console.out()).contains("baseline-seed3/student / dml-seed3/peer1",
                "baseline-seed3/student / dml-seed3/peer2").doesNotContain("dml-seed3/peer1 / dml-seed3/peer2");
    }

    @Test
    void flatnessStartsAtTheTrainingLossAndRestoresTheWeights() throws IOException {
        assertThat(Main.execute("analyze", "flatness", "--sigmas", "0,0.05,0.5", "--draws", "2", "--images", "100000",
                baseline.toString(), dml.toString())).as(console.err()).isZero();
        AnalysisFiles.FlatnessFile f = AnalysisFiles.readFlatness(dml);
        assertThat(f.images()).isEqualTo(256); // all of the training split
        assertThat(f.networks()).extracting(Flatness::network).containsExactly("peer1", "peer2");

        // sigma 0 is the network itself: its loss on the whole training split, as eval --split train gives it
        console.resetOut();
        assertThat(Main.execute("eval", "-c", baseline.resolve("config.yaml").toString(), "--json", "--split", "train",
                "--checkpoint", baseline.resolve("checkpoints/last.ckpt").toString())).as(console.err()).isZero();
        JsonObject eval = JsonParser.parseString(console.out().trim()).getAsJsonObject().getAsJsonObject("student");
        Flatness b = AnalysisFiles.readFlatness(baseline).networks().get(0);
        // the same network on the same batches (all 256 training images in order, the eval batch size): the same
        // logits; flatness takes -log-softmax in float32 (3 u |l| + (k + 5) u: FloatBounds.logSoftmaxError), eval
        // -log of a float32 softmax (relative (k + 5) u, so (k + 5) u + u |l| on its log); the means are in double.
        // With mean |l_label| = the loss: (2 k + 10) u + 4 u loss
        double loss = eval.get("loss").getAsDouble();
        assertThat(b.loss()[0][0]).isCloseTo(loss, within(1.01 * FloatBounds.U * (2 * 10 + 10 + 4 * loss)));
        assertThat(b.top1()[0][0]).isEqualTo(eval.get("top1").getAsDouble());
        assertThat(b.loss()[0][1]).isEqualTo(b.loss()[0][0]);
        assertThat(b.meanLoss()[2]).isGreaterThan(b.meanLoss()[0]);
        assertThat(b.loss()[1][0]).isNotEqualTo(b.loss()[1][1]); // two draws, two noises

        // measured directly: the same noise gives the same losses, and the weights come back bit for bit
        try (Run run = Run.build(ConfigLoader.load(baseline.resolve("config.yaml"), List.of()))) {
            run.restore(Checkpoint.read(baseline.resolve("checkpoints/last.ckpt")), false);
            Net net = run.nets().get(0);
            List<float[]> before = weights(net);
            BatchLoader sample = Flatness.sample(run, 100, 0);
            Flatness first = Flatness.measure(run, net, sample, new double[] {0.1}, 2, 0);
            Flatness again = Flatness.measure(run, net, sample, new double[] {0.1}, 2, 0);
            assertThat(again.loss()).isDeepEqualTo(first.loss());
            List<float[]> after = weights(net);
            for (int i = 0; i < before.size(); i++) {
                assertThat(after.get(i)).isEqualTo(before.get(i));
            }
        }
    }

    @Test
    void theReportDrawsEveryAnalysis() throws IOException {
        assertThat(Main.execute("analyze", "calibration", baseline.toString(), dml.toString())).isZero();
        assertThat(Main.execute("analyze", "agreement", dml.toString())).isZero();
        assertThat(Main.execute("analyze", "flatness", "--sigmas", "0,0.1", "--draws", "1", "--images", "64",
                baseline.toString(), dml.toString())).isZero();
        Path out = dir.resolve("report");
        assertThat(Main.execute("report", baseline.toString(), dml.toString(), "-o", out.toString()))
                .as(console.err()).isZero();
        Document page = Jsoup.parse(out.resolve("report.html").toFile(), "UTF-8");
        List<String> files = new ArrayList<>(page.select("img[data-file]").eachAttr("data-file"));
        assertThat(files).contains("flatness.png", "calibration.png", "agreement.png");
        for (String f : List.of("flatness.png", "calibration.png", "agreement.png")) {
            byte[] png = Files.readAllBytes(out.resolve(f));
            assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        }
        assertThat(page.text()).contains("Flatness of the minima", "Calibration. Accuracy against confidence",
                "Agreement of outputs");
    }

    @Test
    void badInputIsOneLineAndExitCode2() {
        assertThat(Main.execute("analyze", "calibration", "--checkpoint", "first", baseline.toString())).isEqualTo(2);
        assertThat(console.err()).contains("--checkpoint: 'first' is not last or best");
        assertThat(Main.execute("analyze", "flatness", "--sigmas", "-1", baseline.toString())).isEqualTo(2);
        assertThat(Main.execute("analyze", "calibration", "--split", "validation", baseline.toString())).isEqualTo(2);
        assertThat(console.err()).contains("needs data.validation");
        assertThat(Main.execute("analyze", "agreement", dir.resolve("nothing").toString())).isEqualTo(2);
    }

    private static List<float[]> weights(Net net) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : Net.trainableParameters(net.block())) {
            out.add(p.getArray().toFloatArray());
        }
        return out;
    }
}
