package io.distill4j.report;

import io.distill4j.UserError;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The report on fixture runs: what the page says equals what was computed, and every chart is a real PNG. */
class HtmlReportTest {
    @TempDir
    static Path dir;

    static List<Path> oldRuns;
    static Path sweep;

    @BeforeAll
    static void writeRuns() throws IOException {
        oldRuns = RunFixtures.oldRuns(dir.resolve("old"));
        sweep = RunFixtures.sweep(dir.resolve("sweep"));
    }

    private static Document report(List<Path> inputs, String reference, Path out) throws IOException {
        Experiment e = Experiment.load(inputs);
        Comparison c = Comparison.of(e, reference != null ? reference : e.defaultReference(), "--reference");
        Path page = HtmlReport.write(e, c, out);
        assertThat(page).isEqualTo(out.resolve("report.html"));
        Document doc = Jsoup.parse(Files.readString(page));
        assertEveryImageIsAPngAndExists(doc, out);
        return doc;
    }

    static void assertEveryImageIsAPngAndExists(Document doc, Path out) throws IOException {
        List<Element> images = doc.select("img");
        assertThat(images).isNotEmpty();
        for (Element img : images) {
            String src = img.attr("src");
            assertThat(src).as("self-contained: no external image").startsWith("data:image/png;base64,");
            byte[] png = Base64.getDecoder().decode(src.substring(src.indexOf(',') + 1));
            assertPng(png);
            Path file = out.resolve(img.attr("data-file"));
            assertThat(file).exists();
            assertThat(Files.readAllBytes(file)).isEqualTo(png);
        }
        for (Element a : doc.select("a[href]")) {
            assertThat(out.resolve(a.attr("href"))).as("link %s", a.attr("href")).exists();
            assertPng(Files.readAllBytes(out.resolve(a.attr("href"))));
        }
        assertThat(doc.select("script, link[rel=stylesheet], [src^=http]")).as("nothing from the network").isEmpty();
    }

    static void assertPng(byte[] png) throws IOException {
        assertThat(png).startsWith(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A);
        var image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isGreaterThan(300);
    }

    private static Element row(Document doc, String table, String variant, String network) {
        Element r = doc.selectFirst("table#" + table + " tr[data-variant=" + variant + "][data-network=" + network + "]");
        assertThat(r).as("row %s / %s", variant, network).isNotNull();
        return r;
    }

    private static double value(Element row, String cls) {
        return Double.parseDouble(row.selectFirst("td." + cls).attr("data-value"));
    }

    @Test
    void oldRunFoldersAreGroupedPairedAndLabelledBestOnTest(@TempDir Path out) throws IOException {
        Document doc = report(oldRuns, "baseline", out);
        Element dlb = row(doc, "comparison", "dlb", "student");
        // dlb last top-1: 82, 83, 84, 85 -> 83.50 ± 1.29 over four runs; best on test is labelled as such
        assertThat(dlb.selectFirst("td.n").text()).isEqualTo("4");
        assertThat(dlb.selectFirst("td.last").text()).isEqualTo("83.50 ± 1.29");
        assertThat(value(dlb, "last")).isCloseTo(0.835, within(1e-12));
        assertThat(doc.text()).contains("Best epoch: best on test: optimistic, every variant");
        // paired on the last top-1 (best was chosen on test): +2 points in each of seeds 0-2, seed 3 dropped
        assertThat(value(dlb, "diff")).isCloseTo(2.0, within(1e-9));
        assertThat(dlb.selectFirst("td.diff").text()).isEqualTo("+2.00 ± 0.00");
        assertThat(dlb.selectFirst("td.ci").text()).isEqualTo("2.00 to 2.00"); // no spread: t · 0 / √3
        assertThat(dlb.selectFirst("td.detectable").text()).isEqualTo("0.00");
        assertThat(dlb.selectFirst("td.p").text()).isEqualTo("0.25");
        assertThat(dlb.selectFirst("td.pairs").text()).isEqualTo("3 (1 dropped)");
        assertThat(dlb.selectFirst("td.time").text()).isEqualTo("2.00×");
        assertThat(dlb.selectFirst("td.verdict").text()).isEqualTo("higher in all 3 seeds");
        assertThat(doc.select("#verdicts li[data-variant=dlb]").text()).contains(
                "higher than baseline in each of the 3 seeds, by 2.00 points on average (95% t-interval 2.00 to 2.00, p = "
                        + "0.25 with 3 seeds: the smallest p three pairs can give");
        assertThat(doc.select("ul.notes").text()).contains("dlb: seed 3 not in both dlb and baseline");
        assertThat(doc.text()).contains("Compared score: last top-1").contains("best on test: optimistic");

        // the online method: each peer, their mean and the ensemble against the baseline's only network
        Element ensemble = row(doc, "comparison", "dml", "ensemble");
        assertThat(value(ensemble, "last")).isCloseTo(0.82, within(1e-12));
        assertThat(value(ensemble, "diff")).isCloseTo(1.0, within(1e-9)); // 81.5-80, 82-81, 82.5-82
        assertThat(row(doc, "comparison", "dml", "peers_mean")).isNotNull();
        assertThat(value(row(doc, "comparison", "dml", "peer1"), "p")).isEqualTo(1.0); // -1, 0, +1

        // each seed's numbers
        assertThat(doc.select("table#seeds tr[data-variant=dlb][data-network=student]")).hasSize(4);
        Element seed2 = doc.select("table#seeds tr[data-variant=dlb][data-network=student]").get(2);
        assertThat(seed2.selectFirst("td.diff").text()).isEqualTo("+2.00");

        for (String f : List.of("scores.png", "differences.png", "cost.png", "curves-student-top-1.png",
                "curves-student-loss.png", "curves-ensemble-top-1.png")) {
            assertThat(out.resolve(f)).exists();
        }
    }

    @Test
    void sweepIsGroupedByManifestComparesTheValidationSelectedScoreAndShowsCost() throws IOException {
        Document doc = report(List.of(sweep), null, sweep);
        assertThat(doc.title()).isEqualTo("distill4j report: fixture-sweep");
        assertThat(doc.text()).contains("commit abc1234").contains("Compared score: selected top-1")
                .contains("selected on validation, every variant").doesNotContain("optimistic");
        Element dlb = row(doc, "comparison", "dlb", "student");
        // selected (best) top-1: baseline 80, 81, 82; dlb 81, 80.5, 83 -> +1, -0.5, +1: |sum| >= 1.5 in 4 of 8
        // sign patterns (±2.5, ±1.5)
        assertThat(value(dlb, "best")).isCloseTo((0.81 + 0.805 + 0.83) / 3, within(1e-12));
        assertThat(value(dlb, "diff")).isCloseTo(0.5, within(1e-9));
        assertThat(dlb.selectFirst("td.p").text()).isEqualTo("0.50");
        assertThat(dlb.selectFirst("td.verdict").text()).isEqualTo("not distinguishable");
        assertThat(value(dlb, "time")).isCloseTo(1.5, within(1e-12));
        assertThat(value(dlb, "backprop")).isCloseTo(2.0, within(1e-12));
        Element dlbSeed1 = doc.select("table#seeds tr[data-variant=dlb][data-network=student]").get(1);
        assertThat(dlbSeed1.selectFirst("td.validation").text()).isEqualTo("81.50");
        assertThat(doc.select("table#comparison th").eachText()).doesNotContain("best epoch by");
        assertThat(value(dlb, "train")).isCloseTo(0.90, within(1e-12));
        Element matched = row(doc, "comparison", "baseline@equal-compute", "student");
        assertThat(matched.text()).contains("equal compute");
        assertThat(value(matched, "diff")).isCloseTo(0.5, within(1e-9));
        assertThat(row(doc, "comparison", "baseline", "student").text()).contains("reference");
        assertThat(Files.exists(sweep.resolve("curves-student-top-1.png"))).isTrue();
    }

    @Test
    void runsSelectedOnTestMakeTheLastEpochTheComparedScore(@TempDir Path out) throws IOException {
        List<Path> inputs = new ArrayList<>(List.of(sweep));
        oldRuns.stream().filter(p -> p.getFileName().toString().startsWith("dml-")).forEach(inputs::add);
        Document doc = report(inputs, null, out);
        assertThat(doc.text()).contains("Compared score: last top-1");
        assertThat(doc.select("table#comparison th").eachText()).contains("best epoch by");
        assertThat(row(doc, "comparison", "dml", "ensemble").selectFirst("td.selection").text())
                .isEqualTo("test: optimistic");
        assertThat(row(doc, "comparison", "dlb", "student").selectFirst("td.selection").text()).isEqualTo("validation");
        // last top-1: dlb 80, 80, 80 against the baseline's 79, 80, 81
        assertThat(value(row(doc, "comparison", "dlb", "student"), "diff")).isCloseTo(0.0, within(1e-9));
        // the sweep's seeds 0-2 pair with dml's: its ensemble 81.5, 82, 82.5 against 79, 80, 81
        assertThat(value(row(doc, "comparison", "dml", "ensemble"), "diff")).isCloseTo(2.0, within(1e-9));
        // dml's old runs have only a wall clock, which includes evaluation: not divided by recorded training time
        assertThat(row(doc, "comparison", "dml", "ensemble").selectFirst("td.time").text()).isEqualTo("–");
        assertThat(doc.select("ul.notes").text()).contains("dml: time not compared with baseline");
    }

    @Test
    void aRunWithoutSeedIsShownButNotPaired(@TempDir Path tmp) throws IOException {
        Path teacher = RunFixtures.oldRun(tmp.resolve("teacher-a"), "baseline", 100, 500,
                new RunFixtures.Net("teacher", "resnet20", 0.9, 0.9));
        List<Path> inputs = new ArrayList<>(oldRuns);
        inputs.add(teacher);
        Experiment e = Experiment.load(inputs);
        Comparison c = Comparison.of(e, "baseline", "--reference");
        ComparisonRow row = c.rows().stream().filter(r -> r.variant().name().equals("teacher-a")).findFirst().orElseThrow();
        assertThat(row.paired()).isNull();
        assertThat(row.last().mean()).isEqualTo(0.9);
        assertThat(c.notes()).contains("teacher-a: teacher-a without a seed (no -seedN in the folder name, no seed in "
                + "summary.json): not paired");
        assertThat(RunTable.markdown(c)).contains("| teacher-a | teacher | 1 | 90.00 ± 0.00 | 90.00 ± 0.00 | 500 | "
                + "test: optimistic | – | | | | | 1.00× |");
    }

    @Test
    void theTerminalTableShowsThePairedColumns() {
        Experiment e = Experiment.load(oldRuns);
        String md = RunTable.markdown(Comparison.of(e, "baseline", "--reference"));
        assertThat(md).contains("| dlb | student | 4 | 84.13 ± 1.49 | 83.50 ± 1.29 | 250 | test: optimistic | "
                + "+2.00 ± 0.00 | 2.00 to 2.00 | 0.00 | 0.25 | 3 (1 dropped) | 2.00× |");
        assertThat(md).contains("| baseline | student | 3 | 81.50 ± 1.00 | 81.00 ± 1.00 | 500 | test: optimistic | reference");
        assertThat(md).contains("- dlb / student: higher than baseline in each of the 3 seeds");
        assertThat(md).contains("- note: dlb: seed 3 not in both");
    }

    @Test
    void defaultsAndBadInputs(@TempDir Path tmp) throws IOException {
        assertThat(new ReportOptions(List.of(sweep), null, null).out()).isEqualTo(sweep);
        assertThat(new ReportOptions(oldRuns, null, null).out()).isEqualTo(Path.of("report"));
        assertThat(Experiment.load(List.of(sweep)).defaultReference()).isEqualTo("baseline");
        assertThat(Experiment.load(oldRuns).defaultReference()).isEqualTo("baseline");

        Experiment e = Experiment.load(oldRuns);
        assertThatThrownBy(() -> Comparison.of(e, "kd", "--reference")).isInstanceOf(UserError.class)
                .hasMessage("--reference kd: no such variant; variants: baseline, dlb, dml");
        Path unfinished = Files.createDirectories(tmp.resolve("kd-seed0"));
        Files.writeString(unfinished.resolve("metrics.jsonl"), "");
        assertThatThrownBy(() -> Experiment.load(List.of(unfinished))).isInstanceOf(UserError.class)
                .hasMessageContaining("kd-seed0").hasMessageContaining("summary.json").hasMessageContaining("finished");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> Experiment.load(List.of(empty))).isInstanceOf(UserError.class)
                .hasMessageContaining("empty: not a run (no summary.json) nor a sweep (no manifest.json)");
        Path copy = Files.createDirectories(tmp.resolve("again/dlb-seed0"));
        Files.copy(oldRuns.get(1).resolve("summary.json"), copy.resolve("summary.json"));
        assertThatThrownBy(() -> Experiment.load(List.of(oldRuns.get(1), copy))).isInstanceOf(UserError.class)
                .hasMessageContaining("variant dlb seed 0 again");
        Path bad = Files.createDirectories(tmp.resolve("bad-seed0"));
        Files.writeString(bad.resolve("summary.json"), "{\"networks\":{\"s\":{\"best_top1\":0.5}}}");
        assertThatThrownBy(() -> Experiment.load(List.of(bad))).isInstanceOf(UserError.class)
                .hasMessageContaining("bad-seed0").hasMessageContaining("no key last_top1");
        Path badSweep = Files.createDirectories(tmp.resolve("badsweep"));
        Files.writeString(badSweep.resolve("manifest.json"), "{\"runs\":[{\"name\":\"a-seed0\",\"variant\":\"a\","
                + "\"seed\":0,\"dir\":\"a-seed0\"}]}");
        assertThatThrownBy(() -> Experiment.load(List.of(badSweep))).isInstanceOf(UserError.class)
                .hasMessageContaining("manifest.json: run a-seed0").hasMessageContaining("does not exist");
    }
}
