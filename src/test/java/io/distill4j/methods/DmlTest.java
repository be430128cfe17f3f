package io.distill4j.methods;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.distill4j.data.HostBatch;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Expected values: PyTorch 1.13, tools/reference_values.py ("DML, K = 3"). */
class DmlTest {
    static final float[][] Z = {
            {1, 2, 0.5f, -1, 0, 0, 0, 0, 3, -2, 1, 0},
            {2, 1, 0, -0.5f, 1, 2, 3, 4, 0, 0, 0, 0},
            {0.5f, 0.5f, -1, 2, 1, -1, 0, 0.5f, -2, 0, 2, 1}};
    static final float[][] EXPECTED = { // ce, kl (peers), kl (ensemble)
            {6.85663879e-01f, 9.76598859e-01f, 7.98399448e-01f},
            {1.09575260e+00f, 7.75950551e-01f, 5.23731291e-01f},
            {2.52303696e+00f, 1.13843966e+00f, 9.96666372e-01f}};

    static Dml dml(String teacher) {
        return new Dml(new Dml.Options(Dml.Teacher.valueOf(teacher.toUpperCase(Locale.ROOT)),
                Dml.Update.SIMULTANEOUS, 1.0), new MethodSetup(null, List.of("a", "b", "c"), 4, 3, null, null));
    }

    static Batch batch(NDManager m, boolean[] labelled) {
        HostBatch hb = new HostBatch(new float[][] {new float[3]}, new int[] {1, 3, 0}, new int[] {0, 1, 2}, 1, 1, 1);
        return new Batch(hb, m, labelled);
    }

    @Test
    void lossesForThreePeersMatchPyTorchInBothTeacherModes() {
        for (String mode : List.of("peers", "ensemble")) {
            try (NDManager m = NDManager.newBaseManager()) {
                List<NDArray> logits = List.of(m.create(Z[0], new Shape(3, 4)), m.create(Z[1], new Shape(3, 4)),
                        m.create(Z[2], new Shape(3, 4)));
                Dml d = dml(mode);
                for (int k = 0; k < 3; k++) {
                    Losses l = new Losses();
                    d.addPeerLosses(l, "p", k, logits, batch(m, null));
                    assertThat(l.of("p").get("ce").getFloat()).isCloseTo(EXPECTED[k][0], within(1e-5f));
                    assertThat(l.of("p").get("kl").getFloat()).as("%s peer %d", mode, k)
                            .isCloseTo(EXPECTED[k][mode.equals("peers") ? 1 : 2], within(1e-5f));
                }
            }
        }
    }

    @Test
    void aPeersLossSendsNoGradientIntoAnotherPeer() {
        for (String mode : List.of("peers", "ensemble")) {
            try (NDManager m = NDManager.newBaseManager()) {
                List<NDArray> logits = List.of(m.create(Z[0], new Shape(3, 4)), m.create(Z[1], new Shape(3, 4)),
                        m.create(Z[2], new Shape(3, 4)));
                logits.forEach(a -> a.setRequiresGradient(true));
                Losses l = new Losses();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    dml(mode).addPeerLosses(l, "p", 0, logits, batch(m, null));
                    gc.backward(l.total());
                }
                assertThat(logits.get(0).getGradient().abs().sum().getFloat()).isPositive();
                assertThat(logits.get(1).getGradient().abs().sum().getFloat()).isZero();
                assertThat(logits.get(2).getGradient().abs().sum().getFloat()).isZero();
            }
        }
    }

    @Test
    void unlabelledSamplesContributeNoCrossEntropy() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(Z[0], new Shape(3, 4));
            // only sample 0 (label 1) is labelled: CE = -log softmax(z_0)[1]
            float expected = -z.get(0).logSoftmax(0).getFloat(1);
            assertThat(batch(m, new boolean[] {true, false, false}).crossEntropy(z).getFloat())
                    .isCloseTo(expected, within(1e-6f));
            assertThat(batch(m, new boolean[] {false, false, false}).crossEntropy(z).getFloat()).isZero();
            assertThat(batch(m, new boolean[] {true, true, true}).crossEntropy(z).getFloat())
                    .isCloseTo(EXPECTED[0][0], within(1e-5f));
        }
    }
}
