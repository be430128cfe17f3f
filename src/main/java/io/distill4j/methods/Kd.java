package io.distill4j.methods;

import ai.djl.ndarray.NDArray;
import io.distill4j.knowledge.DistillLoss;
import io.distill4j.training.Net;

/**
 * Method {@code kd}: Hinton et al.'s knowledge distillation from one frozen teacher (METHODS.md section 1):
 * {@code a * CE(z_s, y) + b * T^2 * KL(p_t^T || p_s^T)}, defaults T 4, a 0.1, b 0.9. The teacher runs in
 * inference mode (BatchNorm running statistics) outside the gradient tape.
 */
public final class Kd implements Method {
    private final double temperature;
    private final double alpha;
    private final double beta;

    public Kd(MethodSetup setup) {
        if (setup.networks().size() != 1) {
            throw setup.options().error("name", "kd trains one student; the config has " + setup.networks().size()
                    + " networks");
        }
        if (setup.run().teachers().size() != 1) {
            throw setup.options().error("name", "kd needs exactly one teacher under teachers:, the config has "
                    + setup.run().teachers().size());
        }
        this.temperature = setup.options().number("temperature", 4.0, 1e-3, 1e3);
        this.alpha = setup.options().number("ce_weight", 0.1, 0, 1e6);
        this.beta = setup.options().number("kd_weight", 0.9, 0, 1e6);
    }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        Net student = ctx.trainable().get(0);
        NDArray x = batch.images();
        NDArray teacher = ctx.teachers().get(0).logits(x, false);
        return ctx.update(() -> {
            NDArray z = student.logits(x, true);
            return new Losses()
                    .add(student.name(), "ce", batch.crossEntropy(z).mul((float) alpha))
                    .add(student.name(), "kd", DistillLoss.kl(teacher, z, temperature).mul((float) beta));
        });
    }
}
