package io.distill4j.methods.compose;

import io.distill4j.config.RunConfig;
import io.distill4j.knowledge.Teacher;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.terms.ComposedMethod;
import io.distill4j.methods.terms.Composition;
import io.distill4j.methods.terms.CrdTerm;
import io.distill4j.methods.terms.CtkdTerm;
import io.distill4j.methods.terms.HintTerm;
import io.distill4j.methods.terms.TermSpec;
import io.distill4j.methods.terms.Terms;

import java.util.List;

/**
 * Method {@code compose}: one student trained on a sum of registered loss terms written in the config
 * (docs/methods.md, "Composing terms"):
 * <pre>
 * method:
 *   name: compose
 *   terms:
 *     - {loss: ce, weight: 0.1}
 *     - {loss: kd, weight: 0.9, temperature: 4}
 * </pre>
 * Each term's options as {@code distill4j methods} lists them; each value logged under the term's name. Checked
 * before any data is read: every term known and in range, no term twice, a teacher when a term reads one.
 */
public final class Compose extends ComposedMethod {
    /** The key of {@code method:} that lists the terms. */
    public static final String TERMS = "terms";

    /** {@code compose} has no options of its own: its terms have. */
    public record Options() {}


    public static void check(RunConfig cfg) {
        List<Terms.Entry> entries = Terms.read(cfg.method().sections(TERMS));
        if (entries.isEmpty()) {
            throw cfg.method().error(TERMS, "is empty: compose needs at least one term, e.g. terms: [{loss: ce}, "
                    + "{loss: kd, weight: 0.9}] (list them with: distill4j methods)");
        }
        ConfigChecks.networks(cfg, "compose", 1, 1, "trains one student");
        for (Terms.Entry e : entries) {
            if (e.spec().teacher() != TermSpec.Teacher.NONE && cfg.teachers().size() != 1) {
                throw e.node().error("loss", e.spec().name() + " reads a teacher, and compose needs exactly one under "
                        + "teachers:; the config has " + cfg.teachers().size());
            }
            if (e.spec().teacher() == TermSpec.Teacher.FEATURES) {
                ConfigChecks.distill4jNetworks(cfg, "compose's term " + e.spec().name(), "the student's features");
            }
            if (e.spec().teacher() == TermSpec.Teacher.FEATURES && cfg.train().teacherOutputs() != null) {
                throw e.node().error("loss", e.spec().name() + " reads the teacher's features, and "
                        + "train.teacher_outputs stores its logits only; remove the store");
            }
        }
        if (entries.stream().anyMatch(e -> e.spec().name().equals("ctkd"))) {
            CtkdTerm.check(cfg);
        }
        for (String taken : List.of(HintTerm.REGRESSOR, CrdTerm.STUDENT_HEAD, CrdTerm.TEACHER_HEAD)) {
            if (cfg.networks().stream().anyMatch(n -> n.name().equals(taken))) {
                throw ConfigChecks.error(cfg, "the network name '" + taken + "' is taken by compose's terms");
            }
        }
    }

    public Compose(Options options, MethodSetup setup) {
        super(new Composition(Terms.read(setup.run().method().sections(TERMS)).stream().map(e -> e.create(setup))
                .toList()));
    }
}
