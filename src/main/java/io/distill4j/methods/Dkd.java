package io.distill4j.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.losses.DecoupledKd;
import io.distill4j.runtime.Net;
import io.distill4j.util.Scalars;

/**
 * Method {@code dkd}: Zhao et al.'s decoupled knowledge distillation (CVPR 2022; docs/methods.md section 9) from
 * one frozen teacher: {@code ce_weight * CE + w(e) * (alpha * TCKD + beta * NCKD)}, where TCKD is the KL between
 * the teacher's and the student's binary (target class, the others) distributions, NCKD the KL between their
 * distributions among the non-target classes, both at temperature T and times T^2, and {@code w(e)} the warm-up
 * weight {@code min((e + 1) / warmup, 1)} of 0-based epoch e (the reference counts epochs from 1). Defaults are
 * mdistiller's CIFAR-100 ones: alpha 1, beta 8, T 4, warm-up 20 epochs.
 */
public final class Dkd implements Method {
    /** Options of {@code dkd}. */
    public record Options(
            @Option(doc = "weight of the cross-entropy on the hard labels", value = "1", min = 0, max = 1e6)
            double ceWeight,
            @Option(doc = "weight alpha of TCKD, the target-class KL", value = "1", min = 0, max = 1e6)
            double alpha,
            @Option(doc = "weight beta of NCKD, the non-target-class KL", value = "8", min = 0, max = 1e6)
            double beta,
            @Option(doc = "softmax temperature T of both sides", value = "4", min = 1e-3, max = 1e3)
            double temperature,
            @Option(doc = "epochs over which the weight of the DKD terms grows linearly to 1 (0: none)", value = "20",
                    min = 0, max = 1e6) int warmup) {}

    private final Options options;

    static void check(RunConfig cfg) {
        ConfigChecks.oneStudentOneTeacher(cfg, "dkd");
    }

    public Dkd(Options options, MethodSetup setup) {
        this.options = options;
    }

    @Override
    public double softTargetTemperature() { return options.temperature(); }

    /** The weight of the DKD terms in 0-based epoch {@code epoch}. */
    static double warmupWeight(int epoch, int warmup) {
        return warmup == 0 ? 1 : Math.min((epoch + 1.0) / warmup, 1.0);
    }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        Net student = ctx.trainable().get(0);
        NDArray x = batch.images();
        NDArray teacher = ctx.teacherKnowledge().logits(0, x);
        float w = (float) warmupWeight(ctx.epoch(), options.warmup());
        return ctx.update(() -> {
            NDArray z = student.logits(x, true);
            NDList dkd = DecoupledKd.terms(teacher, z, batch.labels(), options.temperature());
            return new Losses()
                    .add(student.name(), "ce", Scalars.mul(batch.crossEntropy(z), (float) options.ceWeight()))
                    .add(student.name(), "tckd", Scalars.mul(dkd.get(0), w * (float) options.alpha()))
                    .add(student.name(), "nckd", Scalars.mul(dkd.get(1), w * (float) options.beta()));
        });
    }
}
