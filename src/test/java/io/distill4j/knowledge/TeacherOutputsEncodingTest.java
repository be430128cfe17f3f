package io.distill4j.knowledge;

import io.distill4j.FloatBounds;
import io.distill4j.UserError;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The two row encodings of {@link TeacherOutputs}: dense is exact; top-k keeps the k largest logits exactly and
 * fills the other classes so that the softmax at the method's temperature gives the k classes their
 * probabilities and the rest its total mass, checked against a softmax computed here in double precision.
 */
class TeacherOutputsEncodingTest {
    static double[] softmax(float[] z, int off, int classes, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, z[off + c] / t);
        }
        double[] p = new double[classes];
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            p[c] = Math.exp(z[off + c] / t - max);
            sum += p[c];
        }
        for (int c = 0; c < classes; c++) {
            p[c] /= sum;
        }
        return p;
    }

    static float[] roundTrip(float[] z, int classes, TeacherOutputs.Encoding e) {
        int rows = z.length / classes;
        ByteBuffer b = ByteBuffer.allocate(e.rowBytes(classes) * rows).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            TeacherOutputs.encodeRow(z, r * classes, classes, e, b);
        }
        assertThat(b.position()).isEqualTo(b.capacity());
        b.flip();
        float[] out = new float[z.length];
        for (int r = 0; r < rows; r++) {
            TeacherOutputs.decodeRow(b, classes, e.topK(), out, r * classes);
        }
        return out;
    }

    @Test
    void denseIsExact() {
        Random rng = new Random(1);
        float[] z = new float[7 * 10];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (rng.nextGaussian() * 5);
        }
        assertThat(roundTrip(z, 10, TeacherOutputs.Encoding.DENSE)).containsExactly(z);
        assertThat(TeacherOutputs.Encoding.DENSE.rowBytes(10)).isEqualTo(40);
    }

    @Test
    void topKKeepsTheTopProbabilitiesAndTheResidualMassAtTheTemperature() {
        Random rng = new Random(2);
        for (int trial = 0; trial < 200; trial++) {
            int classes = 2 + rng.nextInt(120);
            int k = 1 + rng.nextInt(Math.min(classes - 1, 8));
            double t = new double[] {1, 2, 4, 0.5}[rng.nextInt(4)];
            float[] z = new float[3 * classes];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) (rng.nextGaussian() * (1 + rng.nextInt(10)));
            }
            TeacherOutputs.Encoding e = new TeacherOutputs.Encoding(k, t);
            assertThat(e.rowBytes(classes)).isEqualTo(6 * k + 4);
            float[] back = roundTrip(z, classes, e);
            for (int r = 0; r < 3; r++) {
                int off = r * classes;
                double[] p = softmax(z, off, classes, t);
                double[] q = softmax(back, off, classes, t);
                // the k classes kept are the k most probable; their logits and probabilities are unchanged
                Integer[] order = new Integer[classes];
                for (int c = 0; c < classes; c++) {
                    order[c] = c;
                }
                Arrays.sort(order, (a, b2) -> Float.compare(z[off + b2], z[off + a]));
                // the fill logit f is computed in double and stored as a float: within u |f| of its exact value,
                // which moves the others' softmax terms exp(f / t) by a factor within e^eta, eta = u |f| / t, and
                // every probability by a relative 2 eta at most (2.5 eta with the second-order terms); the softmaxes
                // here are in double (under 1e-13 absolute, with the residual's 1 - kept)
                double eta = FloatBounds.U * Math.abs(back[off + order[k]]) / t;
                double kept = 0;
                for (int i = 0; i < k; i++) {
                    int c = order[i];
                    assertThat(back[off + c]).isEqualTo(z[off + c]);
                    assertThat(q[c]).isCloseTo(p[c], within(2.5 * eta * p[c] + 1e-13));
                    kept += p[c];
                }
                // the others share the residual mass evenly
                double residual = 1 - kept;
                for (int i = k; i < classes; i++) {
                    double share = residual / (classes - k);
                    assertThat(q[order[i]]).isCloseTo(share, within(2.5 * eta * share + 1e-13));
                }
            }
        }
    }

    @Test
    void aTopKAsLargeAsTheClassesIsRefused() {
        assertThatThrownBy(() -> TeacherOutputs.open(Path.of("x.bin"), "f", new int[] {1}, 1, 10,
                new TeacherOutputs.Encoding(10, 4))).isInstanceOf(UserError.class)
                .hasMessageContaining("x.bin").hasMessageContaining("teacher_outputs_top_k 10")
                .hasMessageContaining("0 (dense) or 1 to 9");
    }
}
