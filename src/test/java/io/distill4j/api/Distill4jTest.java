package io.distill4j.api;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.ConsoleCapture;
import io.distill4j.UserError;
import io.distill4j.loop.Trainer;
import io.distill4j.loop.TrainingListener;
import io.distill4j.report.RunFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Java API: a run stopped early and resumed gives the numbers of its summary.json, extra listeners see every
 * step, quiet options print nothing, bad input is a one-line UserError, and a report is the command's.
 */
class Distill4jTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    private static final Map<String, Object> TINY = Map.of(
            "seed", 3,
            "data", Map.of("name", "fashion-mnist-mini", "train_subset", 128),
            "networks", Map.of("student", Map.of("arch", "resnet8")),
            "train", Map.of("epochs", 1, "batch_size", 64, "threads", 1),
            "optim", Map.of("lr", 0.05));

    /** Records the global step of every step it sees. */
    private static final class Steps implements TrainingListener {
        final List<Long> seen = new ArrayList<>();

        @Override
        public void onStep(Trainer trainer, StepEnd step) {
            seen.add(step.step());
        }
    }

    @Test
    void aRunStoppedEarlyResumesAndItsResultIsItsSummary() throws IOException {
        Path out = dir.resolve("run");
        Steps steps = new Steps();
        TrainResult stopped = Distill4j.train(Config.fromMap(TINY), out,
                TrainOptions.defaults().quiet().withStopAfterSteps(1L).withListener(steps));
        assertThat(stopped.finished()).isFalse();
        assertThat(stopped.folder()).isEqualTo(out);
        assertThatThrownBy(stopped::selectedEpoch).isInstanceOf(IllegalStateException.class);
        assertThat(out.resolve("summary.json")).doesNotExist();

        TrainResult done = Distill4j.resume(out, TrainOptions.defaults().quiet().withListener(steps));
        assertThat(done.finished()).isTrue();
        assertThat(steps.seen).containsExactly(1L, 2L);
        JsonObject s = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
        JsonObject student = s.getAsJsonObject("networks").getAsJsonObject("student");
        assertThat(done.bestTop1("student")).isEqualTo(student.get("best_top1").getAsDouble());
        assertThat(done.lastTop1("student")).isEqualTo(student.get("last_top1").getAsDouble());
        assertThat(done.selectedEpoch()).isEqualTo(s.get("best_epoch").getAsInt()).isEqualTo(1);
        assertThat(done.cost().steps()).isEqualTo(2);
        assertThat(done.networks()).containsOnlyKeys("student");
        assertThatThrownBy(() -> done.bestTop1("teacher")).isInstanceOf(UserError.class).hasMessageContaining("student");
        assertThat(console.out()).isEmpty();
        assertThat(console.err()).isEmpty();

        assertThatThrownBy(() -> Distill4j.train(Config.fromMap(TINY), out, TrainOptions.defaults().quiet()))
                .isInstanceOf(UserError.class).hasMessageContaining("holds a finished run");
    }

    @Test
    void badInputIsAOneLineUserError() {
        Config tiny = Config.fromMap(TINY);
        assertThatThrownBy(() -> tiny.with("train.epoch=3").validate()).isInstanceOf(UserError.class)
                .hasMessageContaining("train.epoch");
        assertThatThrownBy(() -> Config.fromYamlText("seed: [").validate()).isInstanceOf(UserError.class)
                .hasMessageContaining("(YAML text): invalid YAML");
        assertThatThrownBy(() -> Distill4j.train(tiny, dir.resolve("a"), TrainOptions.defaults().withStopAfterSteps(0L)))
                .isInstanceOf(UserError.class).hasMessage("--stop-after-steps: 0 is not a step count (give N >= 1)");
        assertThatThrownBy(() -> Distill4j.train(tiny, dir.resolve("b"), TrainOptions.defaults().withAllowOtherCpu(true)))
                .isInstanceOf(UserError.class).hasMessage("--allow-other-cpu: applies to --resume OUT only");
        assertThatThrownBy(() -> Distill4j.resume(dir.resolve("c"), TrainOptions.defaults()))
                .isInstanceOf(UserError.class).hasMessageContaining("nothing to resume");
        assertThat(dir.resolve("a")).doesNotExist();
    }

    @Test
    void aReportOfASweepFolderIsWrittenIntoItAndPrintsNothing() throws IOException {
        Path sweep = RunFixtures.sweep(dir.resolve("sweep"));
        Report report = Distill4j.report(sweep);
        assertThat(report.page()).isEqualTo(sweep.resolve("report.html")).exists();
        assertThat(report.table()).contains("Δ selected top-1 vs baseline");
        assertThat(console.out()).isEmpty();
        assertThat(console.err()).isEmpty();
    }
}
