package io.distill4j.util;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A scalar that autograd saves must outlive the garbage collector: between the forward and the backward pass a
 * collection runs and many small direct buffers are allocated (freed memory gets reused), as in a training JVM.
 * With DJL's own {@code x.mul(3f)} the gradient was garbage (4e-41) in every try; {@link Scalars} must give
 * the exact gradient every time.
 */
class ScalarsTest {
    static float gradientAfterCollection(BiFunction<NDArray, Float, NDArray> op, float v) throws InterruptedException {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1f, 2f, -3f, 0.5f});
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = op.apply(x, v).sum();
                System.gc();
                Thread.sleep(5);
                List<ByteBuffer> churn = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                    churn.add(ByteBuffer.allocateDirect(4).putFloat(0, 1e6f));
                }
                gc.backward(y);
                assertThat(churn).hasSize(2000);
            }
            return x.getGradient().toFloatArray()[0];
        }
    }

    @Test
    void gradientsThroughAScalarSurviveACollection() throws InterruptedException {
        for (int rep = 0; rep < 10; rep++) {
            assertThat(gradientAfterCollection(Scalars::mul, 3f)).as("d(3x)/dx, try %d", rep).isEqualTo(3f);
            assertThat(gradientAfterCollection(Scalars::div, 4f)).as("d(x/4)/dx, try %d", rep).isEqualTo(0.25f);
        }
    }

    @Test
    void valuesMatchJavaArithmetic() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1f, 2f, -3f, 0.5f});
            assertThat(Scalars.mul(x, 0.1f).toFloatArray()).containsExactly(0.1f, 2 * 0.1f, -3 * 0.1f, 0.5f * 0.1f);
            assertThat(Scalars.div(x, 3).toFloatArray()).containsExactly(1f / 3, 2f / 3, -1f, 0.5f / 3);
            assertThat(Scalars.add(x, 3f).toFloatArray()).containsExactly(4f, 5f, 0f, 3.5f);
            assertThat(Scalars.sub(x, 1f).toFloatArray()).containsExactly(0f, 1f, -4f, -0.5f);
            assertThat(Scalars.maximum(x, 0f).toFloatArray()).containsExactly(1f, 2f, 0f, 0.5f);
            NDArray y = x.duplicate();
            assertThat(Scalars.muli(y, 2f)).isSameAs(y);
            assertThat(y.toFloatArray()).containsExactly(2f, 4f, -6f, 1f);
            NDArray s = Scalars.of(x, 1.0 / 3);
            assertThat(s.getShape()).isEqualTo(new Shape());
            assertThat(s.getFloat()).isEqualTo((float) (1.0 / 3));
        }
    }
}
