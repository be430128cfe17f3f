package io.distill4j.losses;

import static io.distill4j.losses.RunningError.constant;
import static io.distill4j.losses.RunningError.of;
import static io.distill4j.losses.RunningError.row;
import static io.distill4j.losses.RunningError.rows;
import static io.distill4j.losses.RunningError.scale;
import static io.distill4j.losses.RunningError.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * MLKD's class- and batch-correlation alignments ({@link LogitLosses#classCorrelation},
 * {@link LogitLosses#batchCorrelation}) and their gradients in the student's logits against PyTorch (the official
 * code's {@code cc_loss} and {@code bc_loss}, {@code tools/reference_values.py}). Each tolerance is the running
 * error bound ({@link RunningError}) of the float32 computation, forward and backward as autograd does them (a
 * matrix product's entries as sums in any order), twice: distill4j's and PyTorch's are two such computations.
 */
class CorrelationLossesTest {
    private static final int K = 4;
    private static final int N = 3;
    private static final float[] S2 = {1, 2, 0.5f, -1, 0.3f, -0.2f, 0.1f, 0.4f, 3, -2, 1, 0};
    private static final float[] T2 = {2, 1, 0, -0.5f, 1, 2, 3, 4, 0.2f, -0.4f, 0.1f, 0};

    @Test
    void classCorrelationAndItsGradientMatchPyTorch() {
        check(true, 1, 1.03143089e-01, new float[] {-1.30788349e-02f, 3.43515351e-02f, -1.55424150e-02f,
            -5.73028950e-03f, 3.58078368e-02f, 1.16424514e-02f, -4.24592430e-03f, -4.32043634e-02f, 3.81135866e-02f,
            -1.41981570e-03f, -2.50547286e-02f, -1.16390372e-02f});
        check(true, 4, 7.55676068e-03, new float[] {2.47368147e-03f, -5.46680007e-04f, -2.12274230e-04f,
            -1.71472749e-03f, 2.89179455e-03f, -2.61376117e-04f, -6.25266603e-06f, -2.62416573e-03f, 3.94987082e-03f,
            -7.12189241e-04f, -6.94147893e-04f, -2.54353392e-03f});
    }

    @Test
    void batchCorrelationAndItsGradientMatchPyTorch() {
        check(false, 1, 9.76393744e-02, new float[] {-7.42310053e-03f, 3.54984403e-03f, 2.64304597e-03f,
            1.23021100e-03f, 4.58813924e-03f, 1.33558651e-02f, -1.98988407e-03f, -1.59541182e-02f, 6.07821345e-02f,
            -2.66476674e-03f, -4.14956883e-02f, -1.66216698e-02f});
        check(false, 4, 1.02661864e-03, new float[] {-6.73535833e-05f, 5.92113684e-05f, -8.79763775e-06f,
            1.69398281e-05f, 5.91597636e-05f, 8.71467855e-05f, -6.48119840e-06f, -1.39825337e-04f, 8.29851837e-04f,
            -3.70026566e-04f, -1.72809203e-04f, -2.87016126e-04f});
    }

    @Test
    void aStudentEqualToItsTeacherHasNoLossAndNoGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(S2, new Shape(N, K));
            NDArray t = m.create(S2, new Shape(N, K));
            assertThat(LogitLosses.classCorrelation(t, s, 2).getFloat()).isZero();
            assertThat(LogitLosses.batchCorrelation(t, s, 2).getFloat()).isZero();
        }
    }

    private static void check(boolean classes, double temp, double expected, float[] gradient) {
        float value;
        float[] got;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(S2, new Shape(N, K));
            NDArray t = m.create(T2, new Shape(N, K));
            s.setRequiresGradient(true);
            t.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = classes ? LogitLosses.classCorrelation(t, s, temp) : LogitLosses.batchCorrelation(t, s, temp);
                value = l.getFloat();
                gc.backward(l);
            }
            assertThat(t.getGradient().abs().sum().getFloat()).as("teacher's gradient").isZero();
            got = s.getGradient().toFloatArray();
        }
        Model model = new Model(classes, temp);
        assertThat((double) value).as("loss").isCloseTo(expected, within(2 * model.loss.e()));
        for (int i = 0; i < got.length; i++) {
            assertThat((double) got[i]).as("gradient entry %d", i).isCloseTo(gradient[i], within(2 * model.gradient[i].e()));
        }
    }

    /**
     * The float32 computation: p = softmax(z * (1 / T)) per row; G = p^T p (C x C, classes) or p p^T (N x N);
     * D = G_t - G_s; loss = sum(D^2) / n. Backward: dL/dG_s = -2 D / n; dL/dp = p (g + g^T) (classes, the two
     * products of a matrix product's backward summed) or (g + g^T) p (batch); then the softmax's backward and 1 / T.
     */
    private static final class Model {
        final RunningError loss;
        final RunningError[] gradient = new RunningError[N * K];

        Model(boolean classes, double temp) {
            RunningError invT = constant(1.0 / temp);
            RunningError[] ps = rows(scale(RunningError.of(S2), invT), K, false);
            RunningError[] pt = rows(scale(RunningError.of(T2), invT), K, false);
            int n = classes ? K : N;
            RunningError[][] gs = gram(ps, classes);
            RunningError[][] gt = gram(pt, classes);
            RunningError[] squares = new RunningError[n * n];
            RunningError[][] g = new RunningError[n][n];
            RunningError scaleD = constant(-2.0 / n);
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    RunningError d = gt[a][b].minus(gs[a][b]);
                    squares[a * n + b] = d.times(d);
                    g[a][b] = d.times(scaleD);
                }
            }
            loss = sum(squares).div(of(n));
            RunningError[] dp = new RunningError[N * K];
            for (int i = 0; i < N; i++) {
                for (int c = 0; c < K; c++) {
                    RunningError[] terms = new RunningError[2 * (classes ? K : N)];
                    if (classes) { // dL/dp[i][c] = sum_c' p[i][c'] (g[c'][c] + g[c][c'])
                        for (int c2 = 0; c2 < K; c2++) {
                            terms[2 * c2] = ps[i * K + c2].times(g[c2][c]);
                            terms[2 * c2 + 1] = ps[i * K + c2].times(g[c][c2]);
                        }
                    } else { // dL/dp[i][c] = sum_j (g[i][j] + g[j][i]) p[j][c]
                        for (int j = 0; j < N; j++) {
                            terms[2 * j] = g[i][j].times(ps[j * K + c]);
                            terms[2 * j + 1] = g[j][i].times(ps[j * K + c]);
                        }
                    }
                    dp[i * K + c] = sum(terms);
                }
            }
            for (int i = 0; i < N; i++) {
                RunningError[] back = LogitModels.softmaxBackward(row(dp, i, K), row(ps, i, K));
                for (int c = 0; c < K; c++) {
                    gradient[i * K + c] = back[c].times(invT);
                }
            }
        }

        private static RunningError[][] gram(RunningError[] p, boolean classes) {
            int n = classes ? K : N;
            int inner = classes ? N : K;
            RunningError[][] g = new RunningError[n][n];
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    RunningError[] terms = new RunningError[inner];
                    for (int r = 0; r < inner; r++) {
                        terms[r] = classes ? p[r * K + a].times(p[r * K + b]) : p[a * K + r].times(p[b * K + r]);
                    }
                    g[a][b] = sum(terms);
                }
            }
            return g;
        }
    }
}
