package io.distill4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.ConsoleCapture;
import io.distill4j.UserError;
import io.distill4j.report.Comparison;
import io.distill4j.report.Experiment;
import io.distill4j.report.Machines;
import io.distill4j.report.PairedDifference;
import io.distill4j.report.RunTable;
import io.distill4j.runfolder.RunMachines;
import io.distill4j.runtime.Machine;
import io.distill4j.sweep.SweepPlan;
import io.distill4j.sweep.SweepSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every run says where it ran: summary.json lists the machine it started on and each it resumed on; resuming on a
 * CPU with other kernels is refused (one line naming both) unless forced, and forced it is recorded; a sweep whose
 * runs ran on another CPU is refused the same way; the report marks pairs split across CPUs.
 */
class RunMachinesTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    static final String CONFIG = """
            seed: 3
            data: {name: fashion-mnist-mini, train_subset: 128}
            networks: {student: {arch: resnet8}}
            train: {epochs: 1, batch_size: 32, eval_batch_size: 500, threads: 1}
            method: {name: baseline}
            """;

    private int cli(String... args) {
        return Main.execute(args);
    }

    private static JsonArray machines(Path run) throws IOException {
        return JsonParser.parseString(Files.readString(run.resolve("summary.json"))).getAsJsonObject()
                .getAsJsonArray("machines");
    }

    /** Rewrites the first machine of a run's machines.json as another CPU's (an AVX2-only AMD, or this CPU's peer). */
    private static Machine pretendStartedElsewhere(Path run) throws IOException {
        Path f = RunMachines.path(run);
        JsonArray list = JsonParser.parseString(Files.readString(f)).getAsJsonArray();
        JsonObject first = list.get(0).getAsJsonObject();
        String vendor = first.get("vendor").getAsString();
        first.addProperty("vendor", vendor.equals("GenuineIntel") ? "AuthenticAMD" : "GenuineIntel");
        first.addProperty("cpu", "Other CPU");
        Files.writeString(f, list.toString());
        return Machine.fromJson(first);
    }

    @Test
    void summaryNamesTheMachineAndEveryResumeAddsOne() throws IOException {
        Path cfg = Files.writeString(dir.resolve("cfg.yaml"), CONFIG);
        Path run = dir.resolve("run");
        assertThat(cli("train", "-c", cfg.toString(), "-o", run.toString(), "--stop-after-steps", "2")).isZero();
        assertThat(run.resolve("summary.json")).doesNotExist();
        assertThat(RunMachines.read(run)).hasSize(1);
        assertThat(cli("train", "--resume", run.toString())).isZero();
        JsonArray m = machines(run);
        assertThat(m).hasSize(2);
        Machine here = Machine.current(1);
        for (int i = 0; i < 2; i++) {
            JsonObject o = m.get(i).getAsJsonObject();
            assertThat(o.get("cpu").getAsString()).isEqualTo(here.cpu()).isNotBlank();
            assertThat(o.get("kernels").getAsString()).isEqualTo(here.kernels()).contains("avx2");
            assertThat(o.get("threads").getAsInt()).isEqualTo(1);
            assertThat(o.get("cores").getAsInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
            for (String key : List.of("memory_gib", "os", "java", "djl", "libtorch", "onnxruntime", "distill4j",
                    "allocator", "vector_extensions", "started")) {
                assertThat(o.has(key) && !o.get(key).isJsonNull()).as(key).isTrue();
            }
            assertThat(o.has("forced")).isFalse();
        }
        assertThat(m.get(0).getAsJsonObject().get("from_step").getAsLong()).isZero();
        assertThat(m.get(1).getAsJsonObject().get("from_step").getAsLong()).isEqualTo(2);
        assertThat(here.commit()).as("this checkout's commit").matches("[0-9a-f]{40}(\\+dirty)?");
    }

    @Test
    void resumingOnAnotherCpuIsRefusedInOneLineUnlessForcedAndThenRecorded() throws IOException {
        Path cfg = Files.writeString(dir.resolve("cfg.yaml"), CONFIG);
        Path run = dir.resolve("run");
        assertThat(cli("train", "-c", cfg.toString(), "-o", run.toString(), "--stop-after-steps", "2")).isZero();
        Machine other = pretendStartedElsewhere(run);
        console.resetErr();
        assertThat(cli("train", "--resume", run.toString())).isEqualTo(2);
        assertThat(console.err()).hasLineCount(1).contains(run.toString()).contains(other.kernels())
                .contains(Machine.current(1).kernels()).contains("--allow-other-cpu").doesNotContain("Exception");
        assertThat(RunMachines.read(run)).as("nothing recorded for the refused resume").hasSize(1);
        assertThat(cli("train", "--resume", run.toString(), "--allow-other-cpu")).isZero();
        JsonArray m = machines(run);
        assertThat(m).hasSize(2);
        assertThat(m.get(1).getAsJsonObject().get("forced").getAsBoolean()).isTrue();

        // the report says so
        Path copy = Files.createDirectories(dir.resolve("runs"));
        Files.move(run, copy.resolve("baseline-seed3"));
        Comparison c = Comparison.of(Experiment.load(List.of(copy.resolve("baseline-seed3"))), null, "reference");
        assertThat(c.notes()).anyMatch(n -> n.contains("baseline-seed3: resumed on another CPU"));

        console.resetErr();
        assertThat(cli("train", "-c", cfg.toString(), "-o", dir.resolve("x").toString(), "--allow-other-cpu"))
                .isEqualTo(2);
        assertThat(console.err()).hasLineCount(1).contains("--allow-other-cpu: applies to --resume OUT only");
    }

    @Test
    void aSweepWhoseRunsRanOnAnotherCpuIsRefusedUnlessForced() throws IOException {
        Path sweepFile = Files.writeString(dir.resolve("s.yaml"), """
                name: two
                base: %s
                out: %s
                seeds: [0]
                variants:
                  baseline: {}
                """.formatted(Files.writeString(dir.resolve("cfg.yaml"), CONFIG), dir.resolve("out")));
        SweepPlan plan = SweepPlan.expand(SweepSpec.read(sweepFile, null));
        Path run = plan.runs().get(0).dir();
        assertThat(cli("train", "-c", dir.resolve("cfg.yaml").toString(), "-o", run.toString(), "--stop-after-steps",
                "1")).isZero();
        Machine here = Machine.current(1);
        plan.checkMachines(here, false); // same CPU: continues
        Machine other = pretendStartedElsewhere(run);
        assertThatThrownBy(() -> plan.checkMachines(here, false)).isInstanceOf(UserError.class)
                .hasMessageContaining("run " + plan.runs().get(0).name() + " ran on").hasMessageContaining(other.kernels())
                .hasMessageContaining(here.kernels()).hasMessageContaining("--allow-other-cpu")
                .hasMessageNotContaining("\n");
        plan.checkMachines(here, true);
    }

    @Test
    void theReportMarksPairsWhoseRunsRanOnTwoCpus() throws IOException {
        Path runs = Files.createDirectories(dir.resolve("runs"));
        String intel = "{\"cpu\":\"Intel(R) Xeon(R) Processor\",\"vendor\":\"GenuineIntel\",\"vector_extensions\":"
                + "[\"avx2\",\"avx512f\"],\"threads\":1}";
        String amd = "{\"cpu\":\"AMD EPYC\",\"vendor\":\"AuthenticAMD\",\"vector_extensions\":[\"avx2\"],\"threads\":1}";
        for (int s = 0; s < 3; s++) {
            write(runs.resolve("baseline-seed" + s), 0.80 + 0.01 * s, intel);
            write(runs.resolve("kd-seed" + s), 0.82 + 0.01 * s, s == 1 ? amd : intel);
        }
        List<Path> inputs = List.of(runs.resolve("baseline-seed0"), runs.resolve("baseline-seed1"),
                runs.resolve("baseline-seed2"), runs.resolve("kd-seed0"), runs.resolve("kd-seed1"), runs.resolve("kd-seed2"));
        Experiment e = Experiment.load(inputs);
        Comparison c = Comparison.of(e, "baseline", "--reference");
        PairedDifference kd = c.rows().stream().filter(r -> r.variant().name().equals("kd")).findFirst().orElseThrow()
                .paired();
        assertThat(kd.crossCpuSeeds()).containsExactly(1);
        assertThat(kd.verdict()).contains("1 of the 3 pairs ran on two different CPUs");
        assertThat(c.notes()).anyMatch(n -> n.startsWith("kd / student: seed 1 ran on AMD EPYC [AuthenticAMD avx2], "
                + "baseline on Intel(R) Xeon(R) Processor [GenuineIntel avx2 avx512f]"));
        String md = RunTable.markdown(c, Machines.inventory(e));
        assertThat(md).contains("| 3 (1 across CPUs) |").contains("Machines (where each run started):")
                .contains("- AMD EPYC [AuthenticAMD avx2]: kd (seed 1)");
    }

    private static void write(Path run, double top1, String machine) throws IOException {
        Files.createDirectories(run);
        Files.writeString(run.resolve("summary.json"), ("{\"method\":\"m\",\"selection\":\"test\",\"networks\":"
                + "{\"student\":{\"arch\":\"resnet8\",\"best_top1\":%s,\"last_top1\":%s,\"params\":1}},\"best_epoch\":1,"
                + "\"wall_seconds\":1,\"train_images_per_sec\":1,\"machines\":[%s]}").formatted(top1, top1, machine));
    }
}
