package io.distill4j.methods.mealv2;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.distill4j.FloatBounds;
import io.distill4j.losses.DistillLoss;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** MEAL V2's parts: the discriminator's batch and the gradient reversal (the whole method: OfflineDistillationTest). */
class MealV2PartsTest {
    @Test
    void discriminatorInputIsStudentRowsThenTeacherMeanLogitsWithOneHotTargets() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
            NDArray t = m.create(new float[] {7, 8, 9, 10, 11, 12}, new Shape(2, 3));
            NDList pair = MealV2.discriminatorBatch(s, t);
            assertThat(pair.get(0).getShape()).isEqualTo(new Shape(4, 3));
            assertThat(pair.get(0).toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
            assertThat(pair.get(1).toFloatArray()).containsExactly(1, 0, 1, 0, 0, 1, 0, 1);
            // BCE with logits against torch.nn.functional.binary_cross_entropy_with_logits (tools/reference_values.py)
            float[] xs = {0.5f, -1, 2, 0.3f, -30, 40};
            float[] ys = {1, 0, 0, 1, 1, 0};
            NDArray x = m.create(xs, new Shape(3, 2));
            NDArray y = m.create(ys, new Shape(3, 2));
            // both float32 computations of mean(max(x, 0) - x y + log(1 + exp(-|x|))) (PyTorch's in another
            // arrangement of the same terms): each term within 3 u of |x| and of |term| (the subtraction, the
            // additions) plus 10 u (exp, 1 +, log: 4 + 1 + 4 u, and the clamp's product), the mean of 6 within
            // gamma(7) of the terms' sum; twice that
            double err = 0;
            double abs = 0;
            for (int i = 0; i < xs.length; i++) {
                double term = Math.max(xs[i], 0) - xs[i] * ys[i] + Math.log1p(Math.exp(-Math.abs(xs[i])));
                err += 3 * FloatBounds.U * (Math.abs(xs[i]) + Math.abs(term)) + 10 * FloatBounds.U;
                abs += Math.abs(term);
            }
            double bound = 2 * (err + FloatBounds.gamma(7) * abs) / xs.length;
            assertThat((double) DistillLoss.binaryCrossEntropyWithLogits(x, y).getFloat())
                    .isCloseTo(1.22447701e+01f, Assertions.within(bound));
        }
    }

    @Test
    void gradientReversalNegatesTheGradientOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(new float[] {1.5f, -2f});
            z.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray r = MealV2.reverseGradient(z);
                assertThat(r.toFloatArray()).containsExactly(1.5f, -2f);
                gc.backward(r.mul(m.create(new float[] {3f, 5f})).sum());
            }
            assertThat(z.getGradient().toFloatArray()).containsExactly(-3f, -5f);
        }
    }
}
