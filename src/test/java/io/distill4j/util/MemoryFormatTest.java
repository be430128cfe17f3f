package io.distill4j.util;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryFormatTest {
    @Test
    void channelsLastKeepsShapeAndValuesAndChangesOnlyTheLayout() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(2, 3, 4, 5));
            NDArray y = MemoryFormat.channelsLast(x);
            assertThat(y.getShape()).isEqualTo(x.getShape());
            assertThat(y.toFloatArray()).containsExactly(x.toFloatArray());
            assertThat(MemoryFormat.isChannelsLast(x)).isFalse();
            assertThat(MemoryFormat.isChannelsLast(y)).isTrue();
            assertThat(MemoryFormat.isChannelsLast(MemoryFormat.channelsLast(y))).isTrue();
            NDArray flat = m.randomNormal(new Shape(2, 3));
            assertThat(MemoryFormat.channelsLast(flat)).isSameAs(flat);
        }
    }

    @Test
    void gradientsFlowThroughTheConversionUnchanged() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(2, 3, 4, 5));
            NDArray w = m.randomNormal(new Shape(2, 3, 4, 5));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(MemoryFormat.channelsLast(x).mul(w).sum());
            }
            assertThat(x.getGradient().toFloatArray()).containsExactly(w.toFloatArray());
        }
    }
}
