package io.distill4j.methods.dml;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.distill4j.FloatBounds;
import io.distill4j.data.HostBatch;
import io.distill4j.methods.Batch;
import io.distill4j.methods.Losses;
import io.distill4j.methods.MethodSetup;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Expected values: PyTorch 1.13, tools/reference_values.py ("DML, K = 3"). Ours and PyTorch's are float32
 * evaluations of the same losses in other operations: each within the bounds of {@link FloatBounds} (twice that
 * between them).
 */
class DmlTest {
    static final long[] LABELS = {1, 3, 0};

    /** Peers' mode: the mean of the two KLs (each FloatBounds.kl at T 1), the sum and the halving: u of the value. */
    static double peersBound(int k) {
        double b = 0;
        for (int j = 0; j < 3; j++) {
            if (j != k) {
                b += FloatBounds.kl(Z[j], Z[k], 4, 1) / 2;
            }
        }
        return b + FloatBounds.U * EXPECTED[k][1];
    }

    /**
     * Ensemble mode: KL(mean of the others' softmaxes || softmax(z_k)); the mean's probabilities within (k + 5) u
     * (each softmax) + 2 u (the sum, the halving) relative, so their log within that plus 4 u of its size (a
     * vectorised log); the student's log-softmax as FloatBounds.logSoftmaxError; FloatBounds.klRows.
     */
    static double ensembleBound(int k) {
        int n = 3;
        double[] q = new double[12];
        for (int j = 0; j < 3; j++) {
            if (j != k) {
                double[] l = FloatBounds.logSoftmax(Z[j], 4, 1);
                for (int i = 0; i < 12; i++) {
                    q[i] += Math.exp(l[i]) / 2;
                }
            }
        }
        double[] lq = new double[12];
        double[] eq = new double[12];
        for (int i = 0; i < 12; i++) {
            lq[i] = Math.log(q[i]);
            eq[i] = (4 + 5 + 2) * FloatBounds.U + 4 * FloatBounds.U * Math.abs(lq[i]);
        }
        return FloatBounds.klRows(q, lq, eq, FloatBounds.logSoftmax(Z[k], 4, 1), FloatBounds.logSoftmaxError(Z[k], 4, 1),
                4, n, 1);
    }
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
                    assertThat((double) l.of("p").get("ce").getFloat())
                            .isCloseTo(EXPECTED[k][0], within(2 * FloatBounds.crossEntropy(Z[k], LABELS, 4)));
                    double bound = 2 * (mode.equals("peers") ? peersBound(k) : ensembleBound(k));
                    assertThat((double) l.of("p").get("kl").getFloat()).as("%s peer %d", mode, k)
                            .isCloseTo(EXPECTED[k][mode.equals("peers") ? 1 : 2], within(bound));
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
            // two log-softmaxes of the same row (alone, and in the batch), each within e_1 of the exact value
            // (FloatBounds.logSoftmaxError); the masked mean adds zeros and divides by 1: exact
            float expected = -z.get(0).logSoftmax(0).getFloat(1);
            assertThat((double) batch(m, new boolean[] {true, false, false}).crossEntropy(z).getFloat())
                    .isCloseTo(expected, within(2 * FloatBounds.logSoftmaxError(Z[0], 4, 1)[1]));
            assertThat(batch(m, new boolean[] {false, false, false}).crossEntropy(z).getFloat()).isZero();
            assertThat((double) batch(m, new boolean[] {true, true, true}).crossEntropy(z).getFloat())
                    .isCloseTo(EXPECTED[0][0], within(2 * FloatBounds.crossEntropy(Z[0], LABELS, 4)));
        }
    }
}
