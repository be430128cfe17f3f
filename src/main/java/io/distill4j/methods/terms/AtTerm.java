package io.distill4j.methods.terms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.config.Option;
import io.distill4j.knowledge.Teacher;
import io.distill4j.losses.FeatureLoss;
import io.distill4j.methods.Losses;
import io.distill4j.runtime.Net;
import io.distill4j.util.Scalars;
import io.distill4j.util.Sums;

import java.util.List;

/**
 * Term {@code at}: attention transfer (docs/methods.md section 11), {@code weight * sum over stage pairs of
 * mean((Q_s - Q_t)^2)}, Q the L2-normalised mean over channels of {@code |f|^p}; the student's stage i paired with the
 * teacher's stage i, the map of higher resolution average-pooled to the other's. Logged as {@code at}.
 */
public final class AtTerm implements Term {
    /** Options of {@code at}. */
    public record Options(
            @Option(doc = "weight of the summed attention losses (the article's beta/2 with beta 1000 is 500)",
                    value = "1000", min = 0, max = 1e9) double weight,
            @Option(doc = "the student's stages whose attention maps are matched, comma-separated (distill4j methods "
                    + "--stages)", value = "stage1,stage2,stage3") String stages,
            @Option(doc = "the teacher's stages paired with them in order (empty: the same names)", value = "")
            String teacherStages,
            @Option(doc = "exponent p of the attention map mean_c |f|^p", value = "2", min = 1, max = 8) double p) {}

    private final Options options;
    private final TermSite site;
    private final List<String> stages;
    private final List<String> teacherStages;

    public AtTerm(Options options, TermSite site) {
        this.options = options;
        this.site = site;
        this.stages = FeatureStages.parse(options.stages());
        List<String> t = FeatureStages.parse(options.teacherStages());
        this.teacherStages = t.isEmpty() ? stages : t;
        if (teacherStages.size() != stages.size()) {
            throw site.error("teacher_stages", teacherStages.size() + " stages, but stages names " + stages.size()
                    + ": each student stage is paired with one teacher stage");
        }
    }

    @Override
    public Reads reads() {
        return new Reads(true, stages, teacherStages, false);
    }

    @Override
    public void attach(NDManager manager, Net student, Teacher teacher) {
        FeatureStages.requireFeatures(teacher);
        FeatureStages.require(site, "stages", stages, student.block().stageNames(), "the student "
                + student.block().arch());
        FeatureStages.require(site, options.teacherStages().isBlank() ? "stages" : "teacher_stages", teacherStages,
                teacher.stageNames(), "the teacher " + teacher.name());
        List<Shape> s = FeatureStages.studentShapes(student, stages);
        List<Shape> t = FeatureStages.teacherShapes(teacher, student, teacherStages);
        for (int i = 0; i < stages.size(); i++) {
            long hs = s.get(i).get(2);
            long ht = t.get(i).get(2);
            if (Math.max(hs, ht) % Math.min(hs, ht) != 0 || s.get(i).get(3) * ht != t.get(i).get(3) * hs) {
                throw site.error("stages", "the student's " + stages.get(i) + " is " + hs + "x" + s.get(i).get(3)
                        + " and the teacher's " + teacherStages.get(i) + " " + ht + "x" + t.get(i).get(3) + ": "
                        + "attention maps are compared at one resolution, which must divide the other");
            }
        }
    }

    @Override
    public void add(TermInputs in, Losses out) {
        NDArray at = null;
        for (int i = 0; i < stages.size(); i++) {
            at = Sums.plus(at, FeatureLoss.attentionTransfer(in.studentMap(stages.get(i)),
                    in.teacherMap(teacherStages.get(i)), options.p()));
        }
        out.add(in.student().name(), "at", Scalars.mul(at, (float) options.weight()));
    }
}
