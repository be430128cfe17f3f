package io.distill4j.methods;

import io.distill4j.config.ConfigNode;
import io.distill4j.config.OptionRecords;
import io.distill4j.config.RunConfig;
import io.distill4j.methods.at.At;
import io.distill4j.methods.baseline.Baseline;
import io.distill4j.methods.compose.Compose;
import io.distill4j.methods.crd.Crd;
import io.distill4j.methods.ctkd.Ctkd;
import io.distill4j.methods.dist.Dist;
import io.distill4j.methods.dkd.Dkd;
import io.distill4j.methods.dlb.Dlb;
import io.distill4j.methods.dml.Dml;
import io.distill4j.methods.fitnet.FitNet;
import io.distill4j.methods.kd.Kd;
import io.distill4j.methods.mealv2.MealV2;
import io.distill4j.methods.mkf.Mkf;
import io.distill4j.methods.mlkd.Mlkd;
import io.distill4j.methods.nkd.Nkd;
import io.distill4j.methods.okdcr.Okdcr;
import io.distill4j.methods.st.StimulativeTraining;
import io.distill4j.methods.stochasticdepth.StochasticDepth;
import io.distill4j.methods.wttm.Wttm;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place that maps method names to their specs. A new method = one file and one line here.
 *
 * <p>Config shape: {@code method: {name: kd, kd: {temperature: 4}}}. Each method's options live in a section
 * named after it; only the chosen method's section is used, the others are validated against their own
 * options and otherwise ignored, so switching method from the command line is {@code --set method.name=X}.
 */
public final class MethodRegistry {
    private static final Map<String, MethodSpec<?>> SPECS = new LinkedHashMap<>();

    static {
        add(new MethodSpec<>("baseline", "each network alone, cross-entropy on the hard labels",
                Baseline.Options.class, MethodSpec.Check.NONE, Baseline::new));
        add(new MethodSpec<>("kd", "Hinton's knowledge distillation from one frozen teacher",
                Kd.Options.class, Kd::check, Kd::new));
        add(new MethodSpec<>("meal-v2", "MEAL V2: ensemble of frozen teachers plus a discriminator on logits",
                MealV2.Options.class, MealV2::check, MealV2::new));
        add(new MethodSpec<>("dml", "Deep Mutual Learning: K peers learn from each other",
                Dml.Options.class, Dml::check, Dml::new));
        add(new MethodSpec<>("okdcr", "online KD by consistency regularisation: peers with two heads each",
                Okdcr.Options.class, Okdcr::check, Okdcr::new));
        add(new MethodSpec<>("dlb", "self-distillation from the last mini-batch",
                Dlb.Options.class, Dlb::check, Dlb::new));
        add(new MethodSpec<>("stochastic-depth", "Stochastic Depth: a random sub-network each step, linear decay",
                StochasticDepth.Options.class, StochasticDepth::check, StochasticDepth::new));
        add(new MethodSpec<>("st", "Stimulative Training: the whole network plus sub-networks distilled from it",
                StimulativeTraining.Options.class, StimulativeTraining::check, StimulativeTraining::new));
        add(new MethodSpec<>("mkf", "MKF: residual sub-networks in groups, per-sample group knowledge, knowledge "
                + "fraction of mixed images", Mkf.Options.class, Mkf::check, Mkf::new));
        add(new MethodSpec<>("dkd", "Decoupled KD: target-class and non-target-class KL to one frozen teacher",
                Dkd.Options.class, Dkd::check, Dkd::new));
        add(new MethodSpec<>("fitnet", "FitNets: a student stage imitates a teacher stage through a regressor",
                FitNet.Options.class, FitNet::check, FitNet::new));
        add(new MethodSpec<>("at", "attention transfer: the student matches the teacher's attention maps of chosen "
                + "stages", At.Options.class, At::check, At::new));
        add(new MethodSpec<>("crd", "contrastive representation distillation: embeddings, a memory of negatives, NCE",
                Crd.Options.class, Crd::check, Crd::new));
        add(new MethodSpec<>("dist", "DIST: inter- and intra-class Pearson correlation of probabilities with one "
                + "frozen teacher", Dist.Options.class, Dist::check, Dist::new));
        add(new MethodSpec<>("nkd", "NKD: normalised KD, target term and renormalised non-target soft labels of one "
                + "frozen teacher", Nkd.Options.class, Nkd::check, Nkd::new));
        add(new MethodSpec<>("wttm", "WTTM: the student matches the power-transformed teacher, weighted per sample",
                Wttm.Options.class, Wttm::check, Wttm::new));
        add(new MethodSpec<>("mlkd", "MLKD: KL, class and batch correlations at several temperatures on a weak and a "
                + "strong view, with one frozen teacher", Mlkd.Options.class, Mlkd::check, Mlkd::new));
        add(new MethodSpec<>("ctkd", "CTKD: KD at a temperature learned adversarially, with a curriculum of its "
                + "strength", Ctkd.Options.class, Ctkd::check, Ctkd::new));
        add(new MethodSpec<>("compose", "one student trained on registered loss terms listed under method.terms "
                + "(the terms and their options below)", Compose.Options.class, Compose::check, Compose::new));
    }

    private MethodRegistry() {}

    private static void add(MethodSpec<?> spec) {
        SPECS.put(spec.name(), spec);
    }

    /** A method chosen and configured: its spec and parsed options. */
    public record Resolved(MethodSpec<?> spec, Record options) {
        public Method create(MethodSetup setup) {
            return spec.create(options, setup);
        }
    }

    /**
     * Validates the {@code method:} section of a config, before any data is read: the chosen name, its
     * options, every other method's section, and the method's checks on the rest of the config.
     */
    public static Resolved resolve(RunConfig cfg) {
        ConfigNode m = cfg.method();
        MethodSpec<?> chosen = SPECS.get(cfg.methodName());
        if (chosen == null) {
            throw m.error("name", "unknown method '" + cfg.methodName() + "' (known: "
                    + String.join(", ", SPECS.keySet()) + "; list them with: distill4j methods)");
        }
        if (m.has(Compose.TERMS) && !chosen.name().equals("compose")) {
            throw m.error(Compose.TERMS, "lists the terms of method compose, and the method is " + chosen.name()
                    + " (method.name: compose to train on them)");
        }
        for (String k : m.keys()) {
            if (!k.equals("name") && !k.equals(Compose.TERMS) && m.has(k) && !SPECS.containsKey(k)) {
                String options = OptionRecords.keys(chosen.options());
                throw m.error(k, "is not a method; a method's options go in its own section, e.g. method: {name: "
                        + chosen.name() + ", " + chosen.name() + ": {" + (options.isEmpty() ? "" : options.split(", ")[0]
                        + ": ...") + "}} (options of " + chosen.name() + ": " + (options.isEmpty() ? "none" : options)
                        + "; see: distill4j methods)");
            }
        }
        Record options = null;
        for (MethodSpec<?> s : SPECS.values()) {
            if (s == chosen || m.has(s.name())) {
                Record r = OptionRecords.parse(s.options(), m.child(s.name()));
                if (s == chosen) {
                    options = r;
                }
            }
        }
        chosen.check().check(cfg);
        return new Resolved(chosen, options);
    }

    /** Adds a method from outside this package (a plug-in, or a test). */
    public static synchronized void register(MethodSpec<?> spec) {
        if (SPECS.putIfAbsent(spec.name(), spec) != null) {
            throw new IllegalArgumentException("method " + spec.name() + " is already registered");
        }
    }

    public static Collection<MethodSpec<?>> specs() {
        return Collections.unmodifiableCollection(SPECS.values());
    }
}
