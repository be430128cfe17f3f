package io.distill4j.cli;

import io.distill4j.api.Distill4j;
import io.distill4j.report.MeanInterval;
import io.distill4j.report.ReportOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code distill4j report}: parses its options and calls {@link Distill4j#report}. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Compare finished runs: a Markdown table on the terminal and a self-contained HTML page with "
                + "charts (OUT/report.html, the charts also as PNG files in OUT).",
                "A DIR with manifest.json is a sweep (variants and seeds from the manifest); a DIR with summary.json "
                        + "is a run (folders NAME-seedN are grouped by NAME). Runs of two variants with the same seed "
                        + "are paired: mean difference, its 95%% Student's t interval (n - 1 degrees of freedom) and "
                        + "half-width (the smallest difference the seeds could detect), sign-flip p and a verdict."})
public final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "sweep folders or run folders")
    List<Path> inputs;

    @Option(names = "--reference", paramLabel = "NAME",
            description = "the variant the others are compared with (default: the sweep's reference, else a variant "
                    + "named baseline, else none)")
    String reference;

    @Option(names = {"-o", "--out"}, paramLabel = "OUT",
            description = "folder for report.html and the charts (default: the sweep folder when one sweep folder "
                    + "is given, else report/ in the current directory)")
    Path out;

    @Option(names = "--interval", paramLabel = "KIND",
            description = "t (default): Student's t interval of the mean paired difference; bootstrap: a percentile "
                    + "bootstrap, for comparisons of 10 or more pairs (fewer get t: a bootstrap of few pairs is no "
                    + "wider than their range)")
    String interval = "t";

    @Override
    public Integer call() {
        MeanInterval.Kind kind = ReportOptions.intervalKind(interval);
        Distill4j.report(new ReportOptions(inputs, reference, out), kind, System.out, System.err);
        return 0;
    }
}
