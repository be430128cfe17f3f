package io.distill4j.methods;

import ai.djl.ndarray.NDArray;
import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.losses.DistillLoss;
import io.distill4j.runtime.Net;
import io.distill4j.util.Scalars;

/**
 * Method {@code kd}: Hinton et al.'s knowledge distillation from one frozen teacher (docs/methods.md section 1):
 * {@code a * CE(z_s, y) + b * T^2 * KL(p_t^T || p_s^T)}, defaults T 4, a 0.1, b 0.9. The teacher runs in
 * inference mode (BatchNorm running statistics) outside the gradient tape.
 */
public final class Kd implements Method {
    /** Options of {@code kd}. */
    public record Options(
            @Option(doc = "softmax temperature T of both sides of the KL term", value = "4", min = 1e-3, max = 1e3)
            double temperature,
            @Option(doc = "weight a of the cross-entropy on the hard labels", value = "0.1", min = 0, max = 1e6)
            double ceWeight,
            @Option(doc = "weight b of the T^2-scaled KL to the teacher", value = "0.9", min = 0, max = 1e6)
            double kdWeight) {}

    private final Options options;

    static void check(RunConfig cfg) {
        ConfigChecks.oneStudentOneTeacher(cfg, "kd");
    }

    public Kd(Options options, MethodSetup setup) {
        this.options = options;
    }

    @Override
    public double softTargetTemperature() { return options.temperature(); }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        Net student = ctx.trainable().get(0);
        NDArray x = batch.images();
        NDArray teacher = ctx.teacherKnowledge().logits(0, x);
        return ctx.update(() -> {
            NDArray z = student.logits(x, true);
            return new Losses()
                    .add(student.name(), "ce", Scalars.mul(batch.crossEntropy(z), (float) options.ceWeight()))
                    .add(student.name(), "kd", Scalars.mul(DistillLoss.kl(teacher, z, options.temperature()),
                            (float) options.kdWeight()));
        });
    }
}
