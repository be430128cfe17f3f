package io.distill4j.cli;

import io.distill4j.report.RunTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Aggregate finished runs (folders with summary.json) into a Markdown table; folders named "
                + "NAME-seedN are grouped by NAME (mean ± sample std of best and last top-1).")
public final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RUN")
    List<Path> runs;

    @Override
    public Integer call() {
        System.out.print(RunTable.markdown(runs));
        return 0;
    }
}
