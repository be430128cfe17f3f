package io.distill4j.methods.terms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.XavierInitializer;
import io.distill4j.config.Option;
import io.distill4j.knowledge.Teacher;
import io.distill4j.losses.FeatureLoss;
import io.distill4j.methods.Losses;
import io.distill4j.runtime.Net;
import io.distill4j.runtime.Optimizers;
import io.distill4j.util.Scalars;

import java.util.List;

/**
 * Term {@code hint}: FitNets' hint (docs/methods.md section 10), {@code weight * mean((r(f_s) - f_t)^2)} of the
 * student's map of a stage, through the trainable {@link Regressor} r where the channel counts differ, against the
 * teacher's map of a stage of the same resolution. The regressor is the term's own network {@code regressor}.
 * Logged as {@code hint}.
 */
public final class HintTerm implements Term {
    /** The regressor's network name: no network of the run may take it. */
    public static final String REGRESSOR = "regressor";

    /** Options of {@code hint}. */
    public record Options(
            @Option(doc = "weight of the hint loss", value = "100", min = 0, max = 1e9) double weight,
            @Option(doc = "the student's stage that is guided (distill4j methods --stages)", value = "stage2")
            String student,
            @Option(doc = "the teacher's stage that gives the hint", value = "stage2") String teacher,
            @Option(doc = "a trainable 1x1 convolution + BN + ReLU where the channel counts differ (false: they "
                    + "must be equal)", value = "true") boolean regressor) {}

    private final Options options;
    private final TermSite site;
    private final Optimizers optimizers;
    private Net regressor;

    public HintTerm(Options options, TermSite site, Optimizers optimizers) {
        this.options = options;
        this.site = site;
        this.optimizers = optimizers;
    }

    @Override
    public Reads reads() {
        return new Reads(true, List.of(options.student()), List.of(options.teacher()), false);
    }

    @Override
    public void attach(NDManager manager, Net student, Teacher teacher) {
        FeatureStages.requireFeatures(teacher);
        String guided = options.student();
        String hint = options.teacher();
        FeatureStages.require(site, "student", List.of(guided), student.block().stageNames(),
                "the student " + student.block().arch());
        FeatureStages.require(site, "teacher", List.of(hint), teacher.stageNames(), "the teacher " + teacher.name());
        Shape s = FeatureStages.studentShapes(student, List.of(guided)).get(0);
        Shape t = FeatureStages.teacherShapes(teacher, student, List.of(hint)).get(0);
        if (s.get(2) != t.get(2) || s.get(3) != t.get(3)) {
            throw site.error("student", "the student's " + guided + " is " + s + " and the teacher's " + hint + " " + t
                    + ": the regressor maps channels only, so the resolutions must be equal (choose stages of one "
                    + "resolution)");
        }
        if (s.get(1) == t.get(1)) {
            return;
        }
        if (!options.regressor()) {
            throw site.error("regressor", "false, but the student's " + guided + " has " + s.get(1) + " channels and "
                    + "the teacher's " + hint + " " + t.get(1) + ": the shapes differ, so allow a regressor "
                    + "(regressor: true) or choose stages of equal shape");
        }
        NDManager rm = manager.newSubManager();
        Regressor block = new Regressor((int) t.get(1));
        block.setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                XavierInitializer.FactorType.IN, 2), Parameter.Type.WEIGHT);
        block.initialize(rm, DataType.FLOAT32, new Shape(1, s.get(1), s.get(2), s.get(3)));
        regressor = optimizers.trainable(REGRESSOR, block, rm);
    }

    @Override
    public List<Net> ownNetworks() {
        return regressor == null ? List.of() : List.of(regressor);
    }

    @Override
    public void add(TermInputs in, Losses out) {
        NDArray s = in.studentMap(options.student());
        NDArray f = regressor == null ? s : regressor.logits(s, true);
        out.add(in.student().name(), "hint", Scalars.mul(FeatureLoss.hint(f, in.teacherMap(options.teacher())),
                (float) options.weight()));
        if (regressor != null) {
            out.alsoStep(REGRESSOR);
        }
    }
}
