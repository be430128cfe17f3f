package io.distill4j.methods.terms;

import io.distill4j.config.ConfigNode;
import io.distill4j.config.OptionRecords;
import io.distill4j.methods.MethodSetup;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registered loss terms (docs/methods.md, "Composing terms"), the only place a term's name maps to its class, and
 * the reading of a {@code compose} method's {@code terms:} list: each entry {@code {loss: NAME, ...options}}.
 */
public final class Terms {
    private static final Map<String, TermSpec<?>> SPECS = new LinkedHashMap<>();

    static {
        add(new TermSpec<>("ce", "cross-entropy on the hard labels", TermSpec.Teacher.NONE, CeTerm.Options.class,
                (o, site, setup) -> new CeTerm(o)));
        add(new TermSpec<>("kd", "Hinton's T^2-scaled KL to the teacher's softened logits", TermSpec.Teacher.LOGITS,
                KdTerm.Options.class,
                (o, site, setup) -> new KdTerm(o)));
        add(new TermSpec<>("dkd", "DKD's target-class and non-target-class KL (logged tckd, nckd)",
                TermSpec.Teacher.LOGITS, DkdTerm.Options.class, (o, site, setup) -> new DkdTerm(o)));
        add(new TermSpec<>("hint", "FitNets' hint: a student stage through a regressor against a teacher stage",
                TermSpec.Teacher.FEATURES, HintTerm.Options.class, (o, site, setup) -> new HintTerm(o, site, setup.optimizers())));
        add(new TermSpec<>("at", "attention transfer between stage pairs", TermSpec.Teacher.FEATURES, AtTerm.Options.class,
                (o, site, setup) -> new AtTerm(o, site)));
        add(new TermSpec<>("crd", "CRD's NCE on embeddings of pooled features, with a memory of negatives",
                TermSpec.Teacher.FEATURES, CrdTerm.Options.class, (o, site, setup) -> new CrdTerm(o, site, setup.optimizers(),
                        setup.trainLabels(), setup.numClasses(), setup.run().seed())));
        add(new TermSpec<>("dist", "DIST's inter- and intra-class Pearson relations (logged inter, intra)",
                TermSpec.Teacher.LOGITS, DistTerm.Options.class, (o, site, setup) -> new DistTerm(o)));
        add(new TermSpec<>("nkd", "NKD's target and normalised non-target terms (logged target, non_target)",
                TermSpec.Teacher.LOGITS, NkdTerm.Options.class, (o, site, setup) -> new NkdTerm(o)));
        add(new TermSpec<>("wttm", "WTTM's U-weighted KL to the power-transformed teacher", TermSpec.Teacher.LOGITS,
                WttmTerm.Options.class, (o, site, setup) -> new WttmTerm(o)));
        add(new TermSpec<>("ctkd", "KD's KL at a temperature learned adversarially with a curriculum (CTKD; logged kd)",
                TermSpec.Teacher.LOGITS, CtkdTerm.Options.class, (o, site, setup) -> new CtkdTerm(o,
                        setup.optimizers(), setup.run().train().logEvery())));
    }

    private Terms() {}

    private static void add(TermSpec<?> spec) {
        SPECS.put(spec.name(), spec);
    }

    public static Collection<TermSpec<?>> specs() {
        return Collections.unmodifiableCollection(SPECS.values());
    }

    /** A term entry read and checked: its spec, parsed options and config node. */
    public record Entry(TermSpec<?> spec, Record options, ConfigNode node) {
        public Term create(MethodSetup setup) {
            return spec.create(options, node::error, setup);
        }
    }

    /**
     * Reads the entries of a {@code terms:} list: every name known, every option in range, no name twice (each term's
     * values are logged under its name), one line naming the entry's key otherwise.
     */
    public static List<Entry> read(List<ConfigNode> entries) {
        List<Entry> out = new ArrayList<>();
        for (ConfigNode n : entries) {
            String name = n.requireString("loss");
            TermSpec<?> spec = SPECS.get(name);
            if (spec == null) {
                throw n.error("loss", "unknown term '" + name + "' (known: " + String.join(", ", SPECS.keySet())
                        + "; list them with: distill4j methods)");
            }
            for (Entry e : out) {
                if (e.spec() == spec) {
                    throw n.error("loss", name + " is already " + e.node().key("loss") + ": a term is logged under "
                            + "its name, so each may appear once");
                }
            }
            out.add(new Entry(spec, OptionRecords.parse(spec.options(), n), n));
        }
        return out;
    }
}
