package io.distill4j.runfolder;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.ConsoleCapture;
import io.distill4j.cli.Main;
import io.distill4j.data.Subsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A validation split selects the best epoch and the test set never does; every run records its cost in images
 * forwarded and backpropagated; the training-split fit is logged when asked.
 */
class ValidationAndCostTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @Test
    void holdOutIsADisjointSeededPartition() {
        int[][] a = Subsets.holdOut(1000, 137, 7);
        assertThat(a[0]).hasSize(137).isSorted();
        assertThat(a[1]).hasSize(863).isSorted();
        Set<Integer> all = new HashSet<>();
        Arrays.stream(a[0]).forEach(all::add);
        Arrays.stream(a[1]).forEach(all::add);
        assertThat(all).hasSize(1000).allMatch(i -> i >= 0 && i < 1000);
        assertThat(Subsets.holdOut(1000, 137, 7)[0]).isEqualTo(a[0]);
        assertThat(Subsets.holdOut(1000, 137, 8)[0]).isNotEqualTo(a[0]);
    }

    private record Eval(int epoch, String split, String network, double top1) {}

    private static List<Eval> evals(Path run) throws IOException {
        List<Eval> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            if (o.get("event").getAsString().equals("eval")) {
                out.add(new Eval(o.get("epoch").getAsInt(), o.get("split").getAsString(),
                        o.get("network").getAsString(), o.get("top1").getAsDouble()));
            }
        }
        return out;
    }

    private Path train(String name, String yaml) throws IOException {
        Path c = dir.resolve(name + ".yaml");
        Files.writeString(c, yaml);
        Path o = dir.resolve(name);
        assertThat(Main.execute("train", "-c", c.toString(), "-o", o.toString())).as(console.err()).isZero();
        return o;
    }

    private static JsonObject summary(Path run) throws IOException {
        return JsonParser.parseString(Files.readString(run.resolve("summary.json"))).getAsJsonObject();
    }

    @Test
    void validationSelectsTheEpochAndTestIsReportedThere() throws IOException {
        Path run = train("val", """
                seed: 1
                data: {name: fashion-mnist-mini, train_subset: 320, validation: 500, pad_crop: 2, flip: true}
                train: {epochs: 4, batch_size: 64, threads: 1, train_fit: true}
                optim: {lr: 0.05}
                networks: {student: {arch: resnet8}}
                method: {name: baseline}
                """);
        JsonObject s = summary(run);
        assertThat(s.get("selection").getAsString()).isEqualTo("validation");
        List<Eval> evals = evals(run);
        List<Eval> val = evals.stream().filter(e -> e.split().equals("validation")).toList();
        List<Eval> test = evals.stream().filter(e -> e.split().equals("test")).toList();
        List<Eval> fit = evals.stream().filter(e -> e.split().equals("train")).toList();
        assertThat(val).hasSize(4);
        assertThat(test).hasSize(4);
        assertThat(fit).hasSize(4);
        // the first epoch with the highest validation top-1, found here independently
        Eval selected = val.get(0);
        for (Eval e : val) {
            if (e.top1() > selected.top1()) {
                selected = e;
            }
        }
        int epoch = selected.epoch();
        assertThat(s.get("best_epoch").getAsInt()).isEqualTo(epoch);
        JsonObject student = s.getAsJsonObject("networks").entrySet().iterator().next().getValue().getAsJsonObject();
        assertThat(student.get("best_validation_top1").getAsDouble()).isEqualTo(selected.top1());
        double testAtSelected = test.stream().filter(e -> e.epoch() == epoch).findFirst().orElseThrow().top1();
        assertThat(student.get("best_top1").getAsDouble()).isEqualTo(testAtSelected);
        assertThat(student.get("last_top1").getAsDouble()).isEqualTo(test.get(3).top1());
        assertThat(student.get("last_train_top1").getAsDouble()).isEqualTo(fit.get(3).top1());

        JsonObject cost = s.getAsJsonObject("cost");
        assertThat(cost.get("steps").getAsLong()).isEqualTo(4 * 5); // 320 / 64 per epoch
        assertThat(cost.get("images_forwarded").getAsLong()).isEqualTo(4 * 320);
        assertThat(cost.get("images_backpropagated").getAsLong()).isEqualTo(4 * 320);
    }

    @Test
    void withoutValidationTheSelectionIsLabelledTest() throws IOException {
        Path run = train("noval", """
                seed: 1
                data: {name: fashion-mnist-mini, train_subset: 128}
                train: {epochs: 1, batch_size: 64, threads: 1}
                networks: {student: {arch: resnet8}}
                method: {name: dlb}
                """);
        JsonObject s = summary(run);
        assertThat(s.get("selection").getAsString()).isEqualTo("test");
        assertThat(s.getAsJsonObject("networks").entrySet().iterator().next().getValue().getAsJsonObject()
                .has("best_validation_top1")).isFalse();
        // DLB forwards each batch and the last one's samples again: 2 x the images, all backpropagated
        // (separate forwards; the first step has no last batch)
        JsonObject cost = s.getAsJsonObject("cost");
        assertThat(cost.get("images_forwarded").getAsLong()).isEqualTo(64 + 2 * 64);
        assertThat(cost.get("images_backpropagated").getAsLong()).isEqualTo(64 + 2 * 64);
    }

    /** A dataset's own validation split (image-folder with train/, val/, test/) selects the best epoch. */
    @Test
    void theDatasetsOwnValidationSplitSelects() throws IOException {
        Path root = dir.resolve("folders");
        int k = 0;
        for (String split : List.of("train", "val", "test")) {
            for (String c : List.of("a", "b")) {
                for (int i = 0; i < (split.equals("train") ? 24 : 6); i++) {
                    BufferedImage img = new BufferedImage(8, 8,
                            BufferedImage.TYPE_BYTE_GRAY);
                    for (int y = 0; y < 8; y++) {
                        for (int x = 0; x < 8; x++) {
                            img.getRaster().setSample(x, y, 0, c.equals("a") ? (x * 31 + k) % 256 : (y * 29 + k) % 256);
                        }
                    }
                    Path f = root.resolve(split).resolve(c).resolve(i + ".png");
                    Files.createDirectories(f.getParent());
                    ImageIO.write(img, "png", f.toFile());
                    k++;
                }
            }
        }
        Path c = dir.resolve("own.yaml");
        Files.writeString(c, """
                seed: 1
                data: {name: image-folder, root: %s, validation: split}
                networks: {student: {arch: resnet8}}
                train: {epochs: 2, batch_size: 16, threads: 1}
                method: {name: baseline}
                """.formatted(root));
        Path o = dir.resolve("own");
        assertThat(Main.execute("train", "-c", c.toString(), "-o", o.toString())).as(console.err()).isZero();
        JsonObject s = JsonParser.parseString(Files.readString(o.resolve("summary.json"))).getAsJsonObject();
        assertThat(s.get("selection").getAsString()).isEqualTo("validation");
        assertThat(evals(o)).extracting(Eval::split).contains("validation", "test");
        console.resetOut();
        assertThat(Main.execute("eval", "-c", o.resolve("config.yaml").toString(), "--split", "validation",
                "--checkpoint", o.resolve("checkpoints/last.ckpt").toString())).isZero();
        assertThat(console.out()).contains("validation (12 images)");

        Files.writeString(c, Files.readString(c).replace("image-folder, root: " + root, "fashion-mnist-mini"));
        assertThat(Main.execute("train", "-c", c.toString(), "-o", dir.resolve("mini").toString())).isEqualTo(2);
        assertThat(console.err()).contains("data.validation: split: fashion-mnist-mini has no validation split");
        Files.writeString(c, Files.readString(c).replace("validation: split", "validation: half"));
        assertThat(Main.execute("train", "-c", c.toString(), "-o", dir.resolve("half").toString())).isEqualTo(2);
        assertThat(console.err()).contains("data.validation: 'half' is neither a number");
    }
}
