package io.distill4j.methods.at;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.config.ConfigNode;
import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.knowledge.Teacher;
import io.distill4j.losses.FeatureLoss;
import io.distill4j.methods.Batch;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.FeatureStages;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.StepContext;
import io.distill4j.runtime.Net;
import io.distill4j.util.Scalars;
import io.distill4j.util.Sums;

import java.util.List;

/**
 * Method {@code at}: Zagoruyko and Komodakis's attention transfer (ICLR 2017; docs/methods.md section 11) from one
 * frozen distill4j teacher: {@code ce_weight * CE + weight * sum over stages of mean((Q_s - Q_t)^2)}, where the
 * attention map Q of a stage's feature map is the mean over channels of {@code |f|^p}, flattened and divided by its
 * L2 norm, and the mean runs over the batch and the positions. The student's stage i is paired with the teacher's
 * stage i; a map of higher resolution is average-pooled to the other's first. Defaults as mdistiller's: p 2, weight
 * 1000, the three stages of the CIFAR ResNets.
 */
public final class At implements Method {
    /** Options of {@code at}. */
    public record Options(
            @Option(doc = "the student's stages whose attention maps are matched, comma-separated (distill4j methods "
                    + "--stages)", value = "stage1,stage2,stage3") String stages,
            @Option(doc = "the teacher's stages paired with them in order (empty: the same names)", value = "")
            String teacherStages,
            @Option(doc = "exponent p of the attention map mean_c |f|^p", value = "2", min = 1, max = 8) double p,
            @Option(doc = "weight of the cross-entropy on the hard labels", value = "1", min = 0, max = 1e6)
            double ceWeight,
            @Option(doc = "weight of the summed attention losses (the article's beta/2 with beta 1000 is 500)",
                    value = "1000", min = 0, max = 1e9) double weight) {}

    private final Options options;
    private final ConfigNode section;
    private final List<String> stages;
    private final List<String> teacherStages;

    public static void check(RunConfig cfg) {
        ConfigChecks.oneStudentOneTeacher(cfg, "at");
    }

    public At(Options options, MethodSetup setup) {
        this.options = options;
        this.section = FeatureStages.section(setup, "at");
        this.stages = FeatureStages.parse(options.stages());
        List<String> t = FeatureStages.parse(options.teacherStages());
        this.teacherStages = t.isEmpty() ? stages : t;
        if (teacherStages.size() != stages.size()) {
            throw section.error("teacher_stages", teacherStages.size() + " stages, but stages names " + stages.size()
                    + ": each student stage is paired with one teacher stage");
        }
    }

    @Override
    public void attach(NDManager manager, List<Net> trainable, List<Teacher> teachers) {
        Net student = trainable.get(0);
        Teacher teacher = FeatureStages.requireFeatures(teachers.get(0));
        FeatureStages.require(section, "stages", stages, student.block().stageNames(), "the student "
                + student.block().arch());
        FeatureStages.require(section, options.teacherStages().isBlank() ? "stages" : "teacher_stages", teacherStages,
                teacher.stageNames(), "the teacher " + teacher.name());
        List<Shape> s = FeatureStages.studentShapes(student, stages);
        List<Shape> t = FeatureStages.teacherShapes(teacher, student, teacherStages);
        for (int i = 0; i < stages.size(); i++) {
            long hs = s.get(i).get(2);
            long ht = t.get(i).get(2);
            if (Math.max(hs, ht) % Math.min(hs, ht) != 0 || s.get(i).get(3) * ht != t.get(i).get(3) * hs) {
                throw section.error("stages", "the student's " + stages.get(i) + " is " + hs + "x" + s.get(i).get(3)
                        + " and the teacher's " + teacherStages.get(i) + " " + ht + "x" + t.get(i).get(3) + ": "
                        + "attention maps are compared at one resolution, which must divide the other");
            }
        }
    }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        Net student = ctx.trainable().get(0);
        NDArray x = batch.images();
        NDList t = ctx.teacherKnowledge().features(0, x, teacherStages);
        return ctx.update(() -> {
            NDList s = student.forward(x, true, stages);
            NDArray at = null;
            for (int i = 0; i < stages.size(); i++) {
                at = Sums.plus(at, FeatureLoss.attentionTransfer(s.get(2 + i), t.get(2 + i), options.p()));
            }
            return new Losses()
                    .add(student.name(), "ce", Scalars.mul(batch.crossEntropy(s.get(0)), (float) options.ceWeight()))
                    .add(student.name(), "at", Scalars.mul(at, (float) options.weight()));
        });
    }
}
