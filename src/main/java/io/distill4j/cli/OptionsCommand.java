package io.distill4j.cli;

import io.distill4j.UserError;
import io.distill4j.config.ConfigReference;
import io.distill4j.config.Section;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "options", mixinStandardHelpOptions = true,
        description = {"List every config key of every section (or of SECTION: data, networks, teachers, train, "
                + "optim, method): default, valid values and meaning.",
                "Method options: distill4j methods."})
public final class OptionsCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "SECTION", description = "one section (default: all)")
    String section;

    @Option(names = "--markdown", description = "print the table the README carries")
    boolean markdown;

    @Override
    public Integer call() {
        List<Section> sections = section == null ? ConfigReference.sections() : ConfigReference.sections(section);
        if (sections.isEmpty()) {
            throw new UserError("options: '" + section + "' is not a section (give one of data, networks, teachers, "
                    + "train, optim, method, or none for all)");
        }
        System.out.print(markdown ? ConfigReference.markdown(sections) : ConfigReference.text(sections));
        return 0;
    }
}
