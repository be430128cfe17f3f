package io.distill4j.cli;

import ai.djl.ndarray.NDManager;
import io.distill4j.config.OptionRecords;
import io.distill4j.methods.MethodRegistry;
import io.distill4j.methods.MethodSpec;
import io.distill4j.methods.terms.TermSpec;
import io.distill4j.methods.terms.Terms;
import io.distill4j.models.ModelRegistry;
import io.distill4j.models.Network;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "methods", mixinStandardHelpOptions = true,
        description = {"List every method with its options: key, default, valid values and meaning.",
                "A method's options go in its own section: method: {name: kd, kd: {temperature: 4}}."})
public final class MethodsCommand implements Callable<Integer> {
    @Option(names = "--markdown", description = "print the table the README carries")
    boolean markdown;

    @Option(names = "--stages", arity = "0..*", paramLabel = "ARCH", description = "list the stage names that the "
            + "feature methods (fitnet, at) take, of the given architectures (none: the zoo's examples)")
    List<String> stages;

    @Override
    public Integer call() {
        System.out.print(stages != null ? stages(stages.isEmpty() ? ModelRegistry.examples() : stages)
                : markdown ? markdown() : text());
        return 0;
    }

    /** Per architecture: each stage name and the layer whose output it is. */
    static String stages(List<String> archs) {
        StringBuilder sb = new StringBuilder();
        try (NDManager m = NDManager.newBaseManager()) {
            for (String arch : archs) {
                Network n = ModelRegistry.buildAndInit(arch, 3, 10, 32, 32, m);
                sb.append(arch).append(':');
                n.stageNames().forEach((name, layer) -> sb.append(' ').append(name)
                        .append(name.equals(layer) ? "" : " (= " + layer + ")"));
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** One line per method, then its options indented; then compose's terms likewise. */
    static String text() {
        StringBuilder sb = new StringBuilder();
        for (MethodSpec<?> s : MethodRegistry.specs()) {
            text(sb, s.name(), s.summary(), s.options(), "method." + s.name() + ".");
        }
        sb.append("\nterms of compose (method.terms: [{loss: NAME, option: value, ...}, ...]):\n");
        for (TermSpec<?> t : Terms.specs()) {
            text(sb, t.name(), t.summary() + " (reads the teacher's " + t.teacher().name().toLowerCase(Locale.ROOT)
                    + ")", t.options(), "");
        }
        return sb.toString();
    }

    private static void text(StringBuilder sb, String name, String summary, Class<? extends Record> type,
                             String prefix) {
        sb.append(name).append(": ").append(summary).append('\n');
        var options = OptionRecords.describe(type);
        if (options.isEmpty()) {
            sb.append("    (no options)\n");
        }
        for (var o : options) {
            sb.append(String.format("    %s%s = %s  (%s)  %s%n", prefix, o.key(), o.defaultValue(), o.range(),
                    o.doc()));
        }
    }

    /** The README's method table (a test checks that the README carries exactly this). */
    public static String markdown() {
        StringBuilder sb = new StringBuilder("| method | option | default | valid | meaning |\n|---|---|---|---|---|\n");
        for (MethodSpec<?> s : MethodRegistry.specs()) {
            markdown(sb, s.name(), s.summary(), s.options());
        }
        sb.append("\nThe terms of `compose` (`method.terms: [{loss: NAME, option: value, ...}, ...]`):\n\n")
                .append("| term | option | default | valid | meaning |\n|---|---|---|---|---|\n");
        for (TermSpec<?> t : Terms.specs()) {
            markdown(sb, t.name(), t.summary() + " (reads the teacher's " + t.teacher().name().toLowerCase(Locale.ROOT)
                    + ")", t.options());
        }
        return sb.toString();
    }

    private static void markdown(StringBuilder sb, String name, String summary, Class<? extends Record> type) {
        sb.append("| `").append(name).append("` | | | | ").append(summary).append(" |\n");
        for (var o : OptionRecords.describe(type)) {
            sb.append("| | `").append(o.key()).append("` | ").append(o.defaultValue()).append(" | ")
                    .append(o.range().replace("|", "\\|")).append(" | ").append(o.doc().replace("|", "\\|"))
                    .append(" |\n");
        }
    }
}
