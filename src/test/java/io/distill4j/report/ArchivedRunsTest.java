package io.distill4j.report;

import com.google.gson.JsonParser;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs archived in results/online (old schema: no validation split, no cost block), copied as test resources:
 * the table repeats what results/online/table.md says, and the paired differences are those of the summaries.
 */
class ArchivedRunsTest {
    static List<Path> runs() throws URISyntaxException, IOException {
        Path root = Path.of(ArchivedRunsTest.class.getResource("archived-online").toURI());
        try (var s = Files.list(root)) {
            return s.sorted().toList();
        }
    }

    private static double last(Path run, String network) throws IOException {
        return JsonParser.parseString(Files.readString(run.resolve("summary.json"))).getAsJsonObject()
                .getAsJsonObject("networks").getAsJsonObject(network).get("last_top1").getAsDouble();
    }

    @Test
    void theTableAgreesWithTheArchivedOneAndThePairsWithTheSummaries(@TempDir Path out) throws Exception {
        List<Path> runs = runs();
        Experiment e = Experiment.load(runs);
        assertThat(e.defaultReference()).isEqualTo("baseline");
        Comparison c = Comparison.of(e, e.defaultReference(), "reference");
        String md = RunTable.markdown(c);
        // the lines of results/online/table.md, written by the RunTable before pairing existed
        for (String line : List.of("| baseline | peer1 | 3 | 84.30 ± 0.48 | 84.30 ± 0.48 | 488 |",
                "| dml2 | peer1 | 3 | 83.82 ± 0.45 | 83.82 ± 0.45 | 258 |",
                "| dml2 | peers_mean | 3 | 83.79 ± 0.39 | 83.79 ± 0.39 | 258 |",
                "| dml2 | ensemble | 3 | 83.97 ± 0.54 | 83.97 ± 0.54 | 258 |")) {
            assertThat(md).contains(line + " test: optimistic |");
        }
        List<Double> diffs = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            Path dml = runs.stream().filter(p -> p.getFileName().toString().startsWith("dml2-")).toList().get(s);
            Path base = runs.stream().filter(p -> p.getFileName().toString().startsWith("baseline-")).toList().get(s);
            diffs.add(100 * (last(dml, "ensemble") - last(base, "peer1")));
        }
        PairedDifference d = c.rows().stream().filter(r -> r.label().equals("dml2 / ensemble")).findFirst()
                .orElseThrow().paired();
        // exact: the pairs are 100 * (variant - reference) of the same doubles read from the same summaries, in seed
        // order, and their mean is MeanStd's over the same list (Java doubles: the same on every machine)
        assertThat(d.differences()).containsExactlyElementsOf(diffs);
        assertThat(d.stats().mean()).isEqualTo(MeanStd.of(diffs).mean());

        HtmlReport.write(e, c, out);
        Document doc = Jsoup.parse(Files.readString(out.resolve("report.html")));
        HtmlReportTest.assertEveryImageIsAPngAndExists(doc, out);
        for (String net : List.of("peer1", "peer2", "ensemble")) {
            assertThat(out.resolve("curves-" + net + "-top-1.png")).exists();
        }
        assertThat(doc.text()).contains("best on test: optimistic").contains("wall clock");
    }
}
