package io.distill4j.cli;

import io.distill4j.ConsoleCapture;
import io.distill4j.report.RunFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code distill4j report}: the table on stdout, the page in OUT, and bad input as one line with exit code 2. */
class ReportCommandTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    private int report(Object... args) {
        List<String> a = new ArrayList<>(List.of("report"));
        for (Object o : args) {
            a.add(o.toString());
        }
        return Main.execute(a.toArray(String[]::new));
    }

    @Test
    void helpSaysWhatDirAndOutAre() {
        assertThat(report("--help")).isZero();
        assertThat(console.out()).contains("Usage: distill4j report").contains("manifest.json")
                .contains("report/ in the current directory");
        assertThat(console.out().replaceAll("\\s+", " ")).contains("95% Student's t interval");
        assertThat(console.err()).doesNotContain("WARN");
    }

    @Test
    void runFoldersGiveTheTableAndThePage() throws IOException {
        List<Path> runs = RunFixtures.oldRuns(dir.resolve("runs"));
        List<Object> args = new ArrayList<>(runs);
        args.addAll(List.of("--reference", "baseline", "-o", dir.resolve("out")));
        assertThat(report(args.toArray())).isZero();
        String table = console.out();
        assertThat(table).startsWith("| runs | network | n |").contains("| dlb | student | 4 |")
                .contains("- dlb / student: higher than baseline in each of the 3 seeds");
        assertThat(dir.resolve("out/report.html")).exists();
        assertThat(console.err().trim()).isEqualTo("report: " + dir.resolve("out/report.html"));
    }

    @Test
    void aSweepFolderIsTheDefaultOutput() throws IOException {
        Path sweep = RunFixtures.sweep(dir.resolve("sweep"));
        assertThat(report(sweep)).isZero();
        assertThat(sweep.resolve("report.html")).exists();
        assertThat(console.out()).contains("Δ selected top-1 vs baseline");
    }

    @Test
    void badInputIsOneLineNamingTheCulprit() throws IOException {
        List<Path> runs = RunFixtures.oldRuns(dir.resolve("runs"));
        expectError(new Object[] {runs.get(0), "--reference", "kd"}, "--reference kd: no such variant; variants: baseline");
        expectError(new Object[] {dir.resolve("nothing")}, "nothing: no such folder");
        Path started = Files.createDirectories(dir.resolve("kd-seed0"));
        Files.writeString(started.resolve("config.yaml"), "seed: 0\n");
        expectError(new Object[] {started}, "kd-seed0/summary.json: missing (is the run finished?)");
        Path sweep = RunFixtures.sweep(dir.resolve("sweep"));
        Files.writeString(sweep.resolve("dlb-seed1/summary.json"), "{\"networks\":");
        expectError(new Object[] {sweep}, "dlb-seed1/summary.json: not a JSON object");
        Files.writeString(sweep.resolve("manifest.json"), "{\"runs\": 3}");
        expectError(new Object[] {sweep}, "manifest.json: runs is 3, expected a list of runs");
        Path file = Files.writeString(dir.resolve("afile"), "x");
        expectError(new Object[] {runs.get(0), "-o", file}, "-o " + file + ": a file, not a folder");
        expectError(new Object[] {runs.get(0), "--interval", "normal"}, "--interval normal: not an interval; give t");
    }

    @Test
    void aBootstrapIsGivenFromTenPairsAndTheTIntervalBelow() throws IOException {
        // 3 pairs: --interval bootstrap falls back to Student's t and says so
        List<Path> runs = RunFixtures.oldRuns(dir.resolve("runs"));
        List<Object> args = new ArrayList<>(runs);
        args.addAll(List.of("--reference", "baseline", "--interval", "bootstrap", "-o", dir.resolve("out")));
        assertThat(report(args.toArray())).isZero();
        assertThat(console.out()).contains("95% t-interval")
                .contains("note: dlb / student: 3 pairs, fewer than the 10 a bootstrap interval needs")
                .contains("95% percentile bootstrap interval (10000 resamples, fixed seed) where there are 10 or more "
                        + "pairs, Student's t interval otherwise");
    }

    private void expectError(Object[] args, String fragment) {
        console.resetOut();
        console.resetErr();
        assertThat(report(args)).as("exit code for %s", fragment).isEqualTo(Main.USER_ERROR);
        String e = console.err();
        assertThat(e.lines().toList()).as("one line").hasSize(1);
        assertThat(e).startsWith("distill4j: error: ").contains(fragment).doesNotContain("Exception");
    }
}
