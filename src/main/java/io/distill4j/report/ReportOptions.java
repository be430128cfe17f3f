package io.distill4j.report;

import io.distill4j.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code distill4j report} reads and where it writes: run or sweep folders, the reference variant (null:
 * the sweep's, else a variant named baseline, else none) and the output folder (null: the sweep folder when
 * exactly one sweep folder is given, else {@code report/} in the current directory).
 */
public record ReportOptions(List<Path> inputs, String reference, Path out) {
    /** {@code --interval KIND}: t or bootstrap, else one line naming the valid ones. */
    public static MeanInterval.Kind intervalKind(String key) {
        MeanInterval.Kind k = MeanInterval.Kind.of(key);
        if (k == null) {
            throw new UserError("--interval " + key + ": not an interval; give t (Student's t, the default) or "
                    + "bootstrap (for 10 or more pairs)");
        }
        return k;
    }

    public ReportOptions {
        if (inputs == null || inputs.isEmpty()) {
            throw new UserError("report: no run or sweep folder given");
        }
        inputs = List.copyOf(inputs);
        if (reference != null && reference.isBlank()) {
            throw new UserError("--reference: empty; give a variant name");
        }
        if (out == null) {
            out = inputs.size() == 1 && Files.isRegularFile(inputs.get(0).resolve(SweepManifest.FILE)) ? inputs.get(0)
                    : Path.of("report");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UserError("-o " + out + ": a file, not a folder");
        }
    }
}
