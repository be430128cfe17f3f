package io.distill4j.losses;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Logit standardisation, DIST, NKD and WTTM, values and gradients in the student's logits, against PyTorch 1.13:
 * the expected numbers come from tools/reference_values.py (sections "logit standardisation", "DIST", "NKD",
 * "WTTM"), which computes them as the articles' code does (their {@code normalize}, {@code pearson_correlation},
 * {@code NKDLoss} with the target column removed, {@code WTTM} with {@code pow}). Tolerances: a running error
 * analysis of each float32 computation ({@link RunningError}, {@link LogitModels}) bounds |computed - exact| of
 * distill4j's operations; where PyTorch does the same operations (in another order) it is within the same bound, so
 * the two differ by at most twice it; where it does others (a softmax for an exp of a log-softmax, WTTM's power
 * transform), those are modelled too and the two bounds added.
 */
class LogitLossesTest {
    private static final int K = 4;
    /** No row constant: standardisation and Pearson's correlation are singular on a constant row. */
    private static final float[] S2 = {1, 2, 0.5f, -1, 0.3f, -0.2f, 0.1f, 0.4f, 3, -2, 1, 0};
    private static final float[] T = {2, 1, 0, -0.5f, 1, 2, 3, 4, 0, 0, 0, 0};
    /** T with its constant row replaced (DIST, the invariance test): a uniform row's centred vector is 0. */
    private static final float[] T2 = {2, 1, 0, -0.5f, 1, 2, 3, 4, 0.2f, -0.4f, 0.1f, 0};
    private static final float[] SC2 = {-50, 50, 0, 0, 1, 0, -1, 0.5f};
    private static final float[] TC = {60, -60, 0, 0, 0, 0, 80, -80};
    private static final int[] LABELS = {1, 3, 0};

    /** The value and the gradient in the student's logits of {@code loss(teacher, student)}; the teacher gets none. */
    private static float[][] valueAndGradient(float[] t, float[] s, Function<NDList, NDArray> loss) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray sa = m.create(s, new Shape(s.length / K, K));
            NDArray ta = m.create(t, new Shape(t.length / K, K));
            sa.setRequiresGradient(true);
            ta.setRequiresGradient(true);
            float value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = loss.apply(new NDList(ta, sa));
                value = l.getFloat();
                gc.backward(l);
            }
            assertThat(ta.getGradient().abs().sum().getFloat()).as("teacher's gradient").isZero();
            return new float[][] {{value}, sa.getGradient().toFloatArray()};
        }
    }

    private static void assertEach(float[] got, float[] expected, RunningError[] mine, RunningError[] reference) {
        for (int i = 0; i < got.length; i++) {
            assertThat((double) got[i]).as("entry %d", i)
                    .isCloseTo(expected[i], within(mine[i].e() + reference[i].e()));
        }
    }

    private static long[] longs(int[] labels) {
        long[] r = new long[labels.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = labels[i];
        }
        return r;
    }

    @Test
    void standardizedLogitsMatchPyTorch() {
        float[] expected = {2.99999982e-01f, 1.09999990e+00f, -9.99999940e-02f, -1.29999983e+00f, 5.66946566e-01f,
            -1.32287538e+00f, -1.88982189e-01f, 9.44910884e-01f, 1.20096111e+00f, -1.20096111e+00f, 2.40192235e-01f,
            -2.40192235e-01f};
        RunningError[] model = LogitModels.standardizeRows(RunningError.of(S2), K);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] got = LogitLosses.standardize(m.create(S2, new Shape(3, K))).toFloatArray();
            // the same operations in PyTorch (mean, centring, the unbiased std, the epsilon, the division): 2x
            assertEach(got, expected, model, model);
        }
    }

    @Test
    void standardizedKdAndItsGradientMatchPyTorch() {
        double[][] cases = {{1, 3.00565928e-01}, {2, 3.41654778e-01}};
        float[][] gradients = {{-1.00391403e-01f, 5.71719706e-02f, 1.95112564e-02f, 2.37081740e-02f, 2.96303153e-01f,
            1.13078281e-02f, -1.21383369e-01f, -1.86227590e-01f, 1.13581903e-02f, 1.07107684e-02f, -1.26530286e-02f,
            -9.41593014e-03f}, {-8.94448683e-02f, 4.62939218e-02f, 2.66719852e-02f, 1.64789595e-02f, 3.66438061e-01f,
            1.12918839e-02f, -1.44729793e-01f, -2.33000129e-01f, 6.61786180e-03f, 6.41960930e-03f, -7.01439288e-03f,
            -6.02307823e-03f}};
        for (int c = 0; c < cases.length; c++) {
            checkStandardizedKd(T, S2, cases[c][0], cases[c][1], gradients[c]);
        }
        // a confident teacher (logits +-60, +-80) and student (+-50): standardisation brings them to a few units
        checkStandardizedKd(TC, SC2, 2, 1.37915432e+00, new float[] {1.64321334e-11f, -4.49229154e-10f,
            2.16398510e-10f, 2.16398510e-10f, -7.06229359e-02f, 1.85687877e-02f, -2.97306441e-02f, 8.17847699e-02f});
    }

    private static void checkStandardizedKd(float[] t, float[] s, double temp, double value, float[] gradient) {
        float[][] got = valueAndGradient(t, s, l -> DistillLoss.kl(LogitLosses.standardize(l.get(0)),
                LogitLosses.standardize(l.get(1)), temp));
        RunningError[] ts = LogitModels.standardizeRows(RunningError.of(t), K);
        RunningError[] ss = LogitModels.standardizeRows(RunningError.of(s), K);
        // distill4j: exp of a log-softmax as the target; PyTorch's kl_div: a softmax and its log
        RunningError mine = LogitModels.kl(ts, ss, K, temp, false);
        RunningError reference = LogitModels.kl(ts, ss, K, temp, true);
        assertThat((double) got[0][0]).as("T %s", temp).isCloseTo(value, within(mine.e() + reference.e()));
        assertEach(got[1], gradient, LogitModels.standardizedKlGradient(t, s, K, temp, false),
                LogitModels.standardizedKlGradient(t, s, K, temp, true));
    }

    @Test
    void standardizedKdIsShiftAndScaleInvariant() {
        // z and 3 z + 5 (both sides; no constant row, whose standardisation is singular): the same standardised logits up to the epsilon, so the same loss; each
        // evaluation within its running-error bound of its exact value, and the exact values differ only through
        // the epsilon (1e-7 against standard deviations of order 1): |a - b| <= e_a + e_b + |exact_a - exact_b|
        float[] t3 = new float[T2.length];
        float[] s3 = new float[S2.length];
        for (int i = 0; i < T2.length; i++) {
            t3[i] = 3 * T2[i] + 5;
            s3[i] = 3 * S2[i] + 5;
        }
        for (double temp : new double[] {1, 2, 4}) {
            float a = valueAndGradient(T2, S2, l -> DistillLoss.kl(LogitLosses.standardize(l.get(0)),
                    LogitLosses.standardize(l.get(1)), temp))[0][0];
            float b = valueAndGradient(t3, s3, l -> DistillLoss.kl(LogitLosses.standardize(l.get(0)),
                    LogitLosses.standardize(l.get(1)), temp))[0][0];
            RunningError ea = LogitModels.kl(LogitModels.standardizeRows(RunningError.of(T2), K),
                    LogitModels.standardizeRows(RunningError.of(S2), K), K, temp, false);
            RunningError eb = LogitModels.kl(LogitModels.standardizeRows(RunningError.of(t3), K),
                    LogitModels.standardizeRows(RunningError.of(s3), K), K, temp, false);
            assertThat((double) a).as("T %s", temp).isCloseTo(b, within(ea.e() + eb.e() + Math.abs(ea.v() - eb.v())));
        }
    }

    @Test
    void distAndItsGradientMatchPyTorch() {
        checkDist(T2, S2, 1, 4.92521465e-01, 5.95239043e-01, 2, new float[] {-3.71896952e-01f, -2.07208097e-01f,
            5.68015397e-01f, 1.10896062e-02f, 7.35954285e-01f, 4.08911258e-02f, -2.75412112e-01f, -5.01433313e-01f,
            3.63893688e-01f, 1.44009129e-03f, -3.61263931e-01f, -4.06982843e-03f});
        checkDist(T2, S2, 4, 6.07202435e+00, 5.66163445e+00, 2, new float[] {-5.44079113e+00f, -1.10075057e+00f,
            6.65191698e+00f, -1.10375345e-01f, 1.46948805e+01f, 4.04548836e+00f, -1.54635172e+01f, -3.27685046e+00f,
            -3.07709551e+00f, -1.28583956e+00f, 6.56748724e+00f, -2.20455170e+00f});
        // confident: the teacher's probabilities down to e^-160 (subnormal or 0: the underflow term of the bound)
        checkDist(TC, SC2, 1, 1.52074218e+00, 1.00000012e+00, 1, new float[] {-1.68155816e-44f, -8.57225358e-23f,
            4.28614320e-23f, 4.28611101e-23f, -1.83574125e-01f, 1.33894041e-01f, -4.56936210e-02f, 9.53737125e-02f});
    }

    private static void checkDist(float[] t, float[] s, double temp, double inter, double intra, double gamma,
                                  float[] gradient) {
        float[][] got = valueAndGradient(t, s, l -> {
            NDList d = LogitLosses.dist(l.get(0), l.get(1), temp);
            return d.get(0).add(d.get(1).mul(d.getManager().create((float) gamma)));
        });
        RunningError[] model = LogitModels.dist(t, s, K, temp);
        try (NDManager m = NDManager.newBaseManager()) {
            NDList d = LogitLosses.dist(m.create(t, new Shape(t.length / K, K)), m.create(s, new Shape(s.length / K, K)),
                    temp);
            // the reference's operations, in its order: twice the bound
            assertThat((double) d.get(0).getFloat()).as("inter T %s", temp).isCloseTo(inter, within(2 * model[0].e()));
            assertThat((double) d.get(1).getFloat()).as("intra T %s", temp).isCloseTo(intra, within(2 * model[1].e()));
        }
        RunningError[] g = LogitModels.distGradient(t, s, K, temp, 1, gamma);
        assertEach(got[1], gradient, g, g);
    }

    @Test
    void distOfAStudentEqualToItsTeacherIsZero() {
        // exactly 1 - |a|^2 / (|a|^2 + 1e-8) per correlation (times T^2): 0 but for the epsilon, which the exact
        // value of the model keeps (near-uniform probabilities at T 4 have |a|^2 of order 1e-3: about 1e-4 in all)
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(S2, new Shape(3, K));
            for (double temp : new double[] {1, 4}) {
                NDList d = LogitLosses.dist(s, s, temp);
                RunningError[] model = LogitModels.dist(S2, S2, K, temp);
                assertThat((double) d.get(0).getFloat()).isCloseTo(model[0].v(), within(model[0].e()));
                assertThat((double) d.get(1).getFloat()).isCloseTo(model[1].v(), within(model[1].e()));
            }
        }
    }

    @Test
    void nkdAndItsGradientMatchPyTorch() {
        checkNkd(T, S2, LABELS, 1, 3.02214772e-01, 1.18969595e+00, new float[] {-1.06313027e-01f, -3.02091390e-02f,
            1.29039943e-01f, 7.48222833e-03f, 2.21944585e-01f, 3.95551063e-02f, -1.14052221e-01f, -1.47447526e-01f,
            -1.34146269e-02f, -1.48636043e-01f, 1.95488065e-01f, -3.34373862e-02f});
        checkNkd(T, S2, LABELS, 2, 3.02214772e-01, 4.50414801e+00, new float[] {-1.21275939e-01f, -3.02091390e-02f,
            1.50945798e-01f, 5.39337751e-04f, 2.47101292e-01f, 1.98824294e-02f, -1.19536176e-01f, -1.47447526e-01f,
            -1.34146269e-02f, -2.10910589e-01f, 2.22678512e-01f, 1.64665468e-03f});
        // confident: log-probabilities down to -100 and a teacher certain of the target class
        checkNkd(TC, SC2, new int[] {0, 2}, 1, 5.13732834e+01, 2.55901356e+01, new float[] {-5.00000000e-01f,
            1.25000000e+00f, -3.75000000e-01f, -3.75000000e-01f, 2.41855711e-01f, -1.48071468e-01f, -4.67926145e-01f,
            3.74141872e-01f});
    }

    private static void checkNkd(float[] t, float[] s, int[] labels, double temp, double target, double nonTarget,
                                 float[] gradient) {
        float[][] got = valueAndGradient(t, s, l -> {
            NDList d = LogitLosses.nkd(l.get(0), l.get(1), l.getManager().create(longs(labels)), temp);
            return d.get(0).add(d.get(1).mul(l.getManager().create(1.5f)));
        });
        RunningError[] model = LogitModels.nkd(t, s, labels, K, temp);
        try (NDManager m = NDManager.newBaseManager()) {
            NDList d = LogitLosses.nkd(m.create(t, new Shape(t.length / K, K)), m.create(s, new Shape(s.length / K, K)),
                    m.create(longs(labels)), temp);
            // the reference gathers the target and drops its column: the same operations less exact zeros, 2x
            assertThat((double) d.get(0).getFloat()).as("target T %s", temp).isCloseTo(target, within(2 * model[0].e()));
            assertThat((double) d.get(1).getFloat()).as("non-target T %s", temp)
                    .isCloseTo(nonTarget, within(2 * model[1].e()));
        }
        RunningError[] g = LogitModels.nkdGradient(t, s, labels, K, temp, 1.5);
        assertEach(got[1], gradient, g, g);
    }

    @Test
    void wttmAndItsGradientMatchPyTorch() {
        checkWttm(T, S2, 2, 1.09800041e+00, new float[] {-1.30540431e-01f, 2.04223841e-01f, -1.59957483e-02f,
            -5.76876551e-02f, 1.06812127e-01f, 2.58372049e-03f, -2.59206183e-02f, -8.34752321e-02f, 3.92682999e-01f,
            -1.62897795e-01f, -9.09669250e-02f, -1.38818294e-01f});
        checkWttm(T, S2, 5, 1.67344189e+00, new float[] {-9.30040777e-02f, 3.24629545e-01f, -7.58010298e-02f,
            -1.55824468e-01f, 9.51339379e-02f, -4.53019738e-02f, -3.48678641e-02f, -1.49641139e-02f, 5.95196128e-01f,
            -2.46906906e-01f, -1.37880087e-01f, -2.10409194e-01f});
        // confident: the teacher's logits +-30, +-40 (tc / 2: the reference's power of softmax(tc) would meet 0)
        float[] half = new float[TC.length];
        for (int i = 0; i < TC.length; i++) {
            half[i] = TC[i] / 2;
        }
        checkWttm(half, SC2, 5, 5.14772186e+01, new float[] {-5.00000000e-01f, 5.02478719e-01f, -1.23937614e-03f,
            -1.23937614e-03f, 2.36986712e-01f, 8.70765224e-02f, -4.67904627e-01f, 1.43841386e-01f});
    }

    private static void checkWttm(float[] t, float[] s, double temp, double value, float[] gradient) {
        float[][] got = valueAndGradient(t, s, l -> LogitLosses.wttm(l.get(0), l.get(1), temp));
        RunningError mine = LogitModels.wttm(t, s, K, temp, false);
        RunningError reference = LogitModels.wttm(t, s, K, temp, true);
        assertThat((double) got[0][0]).as("T %s", temp).isCloseTo(value, within(mine.e() + reference.e()));
        assertEach(got[1], gradient, LogitModels.wttmGradient(t, s, K, temp, false),
                LogitModels.wttmGradient(t, s, K, temp, true));
    }

    @Test
    void wttmOfAStudentEqualToItsTeacherAtTemperatureOneIsZero() {
        // T 1: q = softmax(z) = the student's distribution, so the KL and the loss are 0 exactly; the computed
        // value is the rounding of q log q - q log p (a softmax against a log-softmax), within the bound
        RunningError model = LogitModels.wttm(S2, S2, K, 1, false);
        assertThat(model.v()).isCloseTo(0, within(1e-12));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(S2, new Shape(3, K));
            assertThat((double) LogitLosses.wttm(s, s, 1).getFloat()).isCloseTo(0, within(model.e()));
        }
    }
}
