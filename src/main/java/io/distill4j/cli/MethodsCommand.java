package io.distill4j.cli;

import io.distill4j.config.OptionRecords;
import io.distill4j.methods.MethodRegistry;
import io.distill4j.methods.MethodSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "methods", mixinStandardHelpOptions = true,
        description = {"List every method with its options: key, default, valid values and meaning.",
                "A method's options go in its own section: method: {name: kd, kd: {temperature: 4}}."})
public final class MethodsCommand implements Callable<Integer> {
    @Option(names = "--markdown", description = "print the table the README carries")
    boolean markdown;

    @Override
    public Integer call() {
        System.out.print(markdown ? markdown() : text());
        return 0;
    }

    /** One line per method, then its options indented. */
    static String text() {
        StringBuilder sb = new StringBuilder();
        for (MethodSpec<?> s : MethodRegistry.specs()) {
            sb.append(s.name()).append(": ").append(s.summary()).append('\n');
            var options = OptionRecords.describe(s.options());
            if (options.isEmpty()) {
                sb.append("    (no options)\n");
            }
            for (var o : options) {
                sb.append(String.format("    %s.%s = %s  (%s)  %s%n", s.name(), o.key(), o.defaultValue(), o.range(),
                        o.doc()));
            }
        }
        return sb.toString();
    }

    /** The README's method table (a test checks that the README carries exactly this). */
    public static String markdown() {
        StringBuilder sb = new StringBuilder("| method | option | default | valid | meaning |\n|---|---|---|---|---|\n");
        for (MethodSpec<?> s : MethodRegistry.specs()) {
            var options = OptionRecords.describe(s.options());
            sb.append("| `").append(s.name()).append("` | | | | ").append(s.summary()).append(" |\n");
            for (var o : options) {
                sb.append("| | `").append(o.key()).append("` | ").append(o.defaultValue()).append(" | ")
                        .append(o.range().replace("|", "\\|")).append(" | ").append(o.doc().replace("|", "\\|"))
                        .append(" |\n");
            }
        }
        return sb.toString();
    }
}
