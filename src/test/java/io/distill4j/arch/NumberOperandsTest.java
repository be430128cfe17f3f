package io.distill4j.arch;

import io.distill4j.util.Scalars;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No compiled class of the project calls an {@code NDArray} operation that takes a {@code Number} (DJL's
 * {@code mul(Number)}, {@code div(Number)}...), except {@link Scalars}, which exists to replace them: DJL makes
 * such a number a scalar over Java memory that the garbage collector may free while autograd still holds it
 * ({@code ScalarsTest}). Comparisons (no gradient) and {@code clip} (native scalars) are allowed. Read from the
 * bytecode with {@code javap}, so a call hidden in a chain or a lambda is found as well.
 */
class NumberOperandsTest {
    static final Set<String> ALLOWED = Set.of("eq", "neq", "gt", "gte", "lt", "lte");
    static final Pattern CALL = Pattern.compile(
            "Method ai/djl/(?:ndarray/NDArray|pytorch/engine/PtNDArray)\\.([A-Za-z]+):\\(Ljava/lang/Number;\\)");

    @Test
    void arraysAreCombinedWithNumbersOnlyThroughScalars() throws Exception {
        Path classes = Path.of(Scalars.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> files;
        try (Stream<Path> s = Files.walk(classes)) {
            files = s.filter(p -> p.toString().endsWith(".class")).map(Path::toString).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(100);
        ToolProvider javap = ToolProvider.findFirst("javap").orElseThrow();
        List<String> violations = new ArrayList<>();
        for (String f : files) {
            if (f.endsWith("util" + File.separator + "Scalars.class")) {
                continue;
            }
            StringWriter out = new StringWriter();
            int rc = javap.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "-c", "-p", f);
            assertThat(rc).as("javap %s", f).isZero();
            Matcher m = CALL.matcher(out.toString());
            while (m.find()) {
                if (!ALLOWED.contains(m.group(1))) {
                    violations.add(classes.relativize(Path.of(f)) + ": NDArray." + m.group(1) + "(Number)");
                }
            }
        }
        assertThat(violations).as("use util/Scalars instead").isEmpty();
    }
}
