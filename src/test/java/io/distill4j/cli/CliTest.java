package io.distill4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.ConsoleCapture;
import io.distill4j.methods.Losses;
import io.distill4j.methods.MethodRegistry;
import io.distill4j.methods.MethodSpec;
import io.distill4j.methods.baseline.Baseline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CliTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    private Path config(String yaml) throws IOException {
        Path p = dir.resolve("c.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    private static final String TINY = """
            seed: 1
            data: {name: fashion-mnist-mini, train_subset: 256}
            networks: {student: {arch: resnet8}}
            train: {epochs: 2, batch_size: 64, threads: 1}
            optim: {lr: 0.05}
            """;

    @Test
    void everyCommandHasHelp() {
        for (List<String> cmd : List.of(List.of("--help"), List.of("train", "--help"), List.of("eval", "--help"),
                List.of("data", "fetch", "--help"))) {
            console.resetOut();
            assertThat(Main.execute(cmd.toArray(String[]::new))).as("%s", cmd).isZero();
            assertThat(console.out()).contains("Usage:");
        }
    }

    @Test
    void badInputExitsNonZeroWithOneLineNamingTheCulprit() throws IOException {
        Path c = config(TINY);
        String out = dir.resolve("out").toString(); // never the default runs/ of the working directory
        assertThat(Main.execute("train", "-c", c.toString(), "-o", out, "--set", "train.epoch=3")).isEqualTo(2);
        assertThat(console.err()).contains("train.epoch").doesNotContain("Exception").hasLineCount(1);
        console.resetErr();
        assertThat(Main.execute("train", "-c", dir.resolve("nope.yaml").toString())).isEqualTo(2);
        assertThat(console.err()).contains("nope.yaml").hasLineCount(1);
        console.resetErr();
        assertThat(Main.execute("train", "-c", c.toString(), "-o", out, "--set", "networks.student.arch=resnet9")).isEqualTo(2);
        assertThat(console.err()).contains("resnet9").hasLineCount(1);
        console.resetErr();
        assertThat(Main.execute("train", "-c", c.toString(), "-o", out, "--set", "method.name=magic")).isEqualTo(2);
        assertThat(console.err()).contains("magic").hasLineCount(1);
        console.resetErr();
        assertThat(Main.execute("train", "-c", c.toString(), "-o", out, "--set", "networks.student.device=gpu:7")).isEqualTo(2);
        assertThat(console.err()).contains("networks.student.device", "gpu:7").hasLineCount(1);
        console.resetErr();
        assertThat(Main.execute("train", "--bogus")).isEqualTo(2);
        assertThat(console.err()).contains("--bogus");
    }

    @Test
    void trainWritesTheOutputContractAndEvalReadsTheCheckpoint() throws IOException {
        Path c = config(TINY);
        Path o = dir.resolve("run");
        assertThat(Main.execute("train", "-c", c.toString(), "-o", o.toString())).as(console.err()).isZero();
        JsonObject s = JsonParser.parseString(Files.readString(o.resolve("summary.json"))).getAsJsonObject();
        assertThat(s.get("method").getAsString()).isEqualTo("baseline");
        JsonObject student = s.getAsJsonObject("networks").getAsJsonObject("student");
        assertThat(student.get("best_top1").getAsDouble()).isBetween(0.0, 1.0);
        assertThat(student.get("last_top1").getAsDouble()).isBetween(0.0, 1.0);
        assertThat(student.get("params").getAsLong()).isPositive();
        assertThat(s.get("wall_seconds").getAsDouble()).isPositive();
        assertThat(s.get("train_images_per_sec").getAsDouble()).isPositive();
        List<String> lines = Files.readAllLines(o.resolve("metrics.jsonl"));
        JsonObject firstEval = lines.stream().map(l -> JsonParser.parseString(l).getAsJsonObject())
                .filter(j -> j.get("event").getAsString().equals("eval")).findFirst().orElseThrow();
        assertThat(firstEval.keySet()).contains("epoch", "network", "top1", "top5", "loss");
        JsonObject firstTrain = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertThat(firstTrain.keySet()).contains("event", "epoch", "step", "lr", "student/ce", "images_per_sec");
        assertThat(o.resolve("config.yaml")).exists();
        assertThat(o.resolve("checkpoints/last.ckpt")).exists();
        assertThat(o.resolve("checkpoints/best.ckpt")).exists();

        console.resetOut();
        assertThat(Main.execute("eval", "-c", c.toString(), "--checkpoint", o.resolve("checkpoints/last.ckpt").toString(),
                "--json")).as(console.err()).isZero();
        JsonObject e = JsonParser.parseString(console.out().trim()).getAsJsonObject();
        assertThat(e.getAsJsonObject("student").get("top1").getAsDouble())
                .isEqualTo(student.get("last_top1").getAsDouble());

        console.resetOut();
        assertThat(Main.execute("eval", "-c", c.toString(), "--checkpoint", o.resolve("checkpoints/last.ckpt").toString(),
                "--json", "--split", "train")).as(console.err()).isZero();
        assertThat(JsonParser.parseString(console.out().trim()).getAsJsonObject()
                .getAsJsonObject("student").get("top1").getAsDouble()).isBetween(0.0, 1.0);

        console.resetErr();
        assertThat(Main.execute("eval", "-c", c.toString(), "--set", "networks.student.arch=resnet14",
                "--checkpoint", o.resolve("checkpoints/last.ckpt").toString())).isEqualTo(2);
        assertThat(console.err()).contains("last.ckpt").contains("resnet8").hasLineCount(1);
    }

    @Test
    void evalLoadsOneNetworkPerCheckpointAndScoresTheirEnsemble() throws IOException {
        Path c = config(TINY);
        double[] alone = new double[2];
        for (int i = 0; i < 2; i++) {
            Path o = dir.resolve("run" + i);
            assertThat(Main.execute("train", "-c", c.toString(), "-o", o.toString(), "--set", "seed=" + (i + 1)))
                    .as(console.err()).isZero();
            alone[i] = JsonParser.parseString(Files.readString(o.resolve("summary.json"))).getAsJsonObject()
                    .getAsJsonObject("networks").getAsJsonObject("student").get("last_top1").getAsDouble();
        }
        Path two = dir.resolve("two.yaml");
        Files.writeString(two, TINY.replace("networks: {student: {arch: resnet8}}",
                "networks: {a: {arch: resnet8}, b: {arch: resnet8}}\nmethod: {name: dml}"));
        console.resetOut();
        assertThat(Main.execute("eval", "-c", two.toString(), "--json",
                "--checkpoint", dir.resolve("run0/checkpoints/last.ckpt").toString(),
                "--checkpoint", dir.resolve("run1/checkpoints/last.ckpt").toString())).as(console.err()).isZero();
        JsonObject e = JsonParser.parseString(console.out().trim()).getAsJsonObject();
        assertThat(e.getAsJsonObject("a").get("top1").getAsDouble()).isEqualTo(alone[0]);
        assertThat(e.getAsJsonObject("b").get("top1").getAsDouble()).isEqualTo(alone[1]);
        assertThat(e.keySet()).contains("ensemble");

        console.resetErr();
        assertThat(Main.execute("eval", "-c", c.toString(),
                "--checkpoint", dir.resolve("run0/checkpoints/last.ckpt").toString(),
                "--checkpoint", dir.resolve("run1/checkpoints/last.ckpt").toString())).isEqualTo(2);
        assertThat(console.err()).contains("--checkpoint", "2 given", "1 networks").hasLineCount(1);
    }

    @Test
    void divergingLossStopsWithAOneLineError() throws IOException {
        Path c = config(TINY);
        if (MethodRegistry.specs().stream().noneMatch(s -> s.name().equals("nan-after-2"))) {
            // a method whose loss turns NaN at the third step, as a diverging run's would
            MethodRegistry.register(new MethodSpec<>("nan-after-2",
                    "test", Baseline.Options.class, MethodSpec.Check.NONE,
                    (o, setup) -> (batch, ctx) -> ctx.update(() ->
                    new Losses().add("student", "ce", ctx.trainable().get(0)
                            .logits(batch.images(), true).mean().mul(ctx.step() >= 2 ? Float.NaN : 0f)))));
        }
        assertThat(Main.execute("train", "-c", c.toString(), "-o", dir.resolve("nan").toString(),
                "--set", "method.name=nan-after-2")).isEqualTo(2);
        assertThat(console.err()).contains("at step 3");
        assertThat(console.err()).contains("loss 'student/ce' (network/term) is").contains("at step").containsPattern("NaN|Infinity");
        assertThat(console.err().lines().filter(l -> l.startsWith("distill4j: error")).count()).isEqualTo(1);
    }

    @Test
    void skipBatchSkipsNonFiniteLossesCountsThemAndStopsPastTheLimit() throws IOException {
        divergingLossStopsWithAOneLineError(); // registers the method whose loss is NaN from the third step
        console.resetErr();
        Path c = config(TINY);
        Path o = dir.resolve("skip");
        assertThat(Main.execute("train", "-c", c.toString(), "-o", o.toString(), "--set", "method.name=nan-after-2",
                "--set", "train.on_nan=skip_batch", "--set", "train.max_skipped=6")).as(console.err()).isZero();
        JsonObject s = JsonParser.parseString(Files.readString(o.resolve("summary.json"))).getAsJsonObject();
        assertThat(s.get("skipped_batches").getAsLong()).isEqualTo(6); // 8 steps, NaN from the third
        console.resetErr();
        assertThat(Main.execute("train", "-c", c.toString(), "-o", dir.resolve("skip2").toString(), "--set",
                "method.name=nan-after-2", "--set", "train.on_nan=skip_batch", "--set", "train.max_skipped=5"))
                .isEqualTo(2);
        assertThat(console.err().lines().reduce((a, b) -> b).orElse("")).contains("6 batches skipped", "train.max_skipped (5)");
        assertThat(dir.resolve("skip2/summary.json")).doesNotExist();
    }
}
