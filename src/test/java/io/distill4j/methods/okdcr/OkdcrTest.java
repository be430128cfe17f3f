package io.distill4j.methods.okdcr;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.FloatBounds;
import io.distill4j.config.ConfigLoader;
import io.distill4j.losses.DistillLoss;
import io.distill4j.methods.Losses;
import io.distill4j.run.Run;
import io.distill4j.runfolder.RunFolder;
import io.distill4j.runtime.Checkpoint;
import io.distill4j.runtime.Net;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class OkdcrTest {
    @TempDir
    Path dir;

    static final String CONFIG = """
            seed: 3
            data: {name: fashion-mnist-mini, train_subset: 192}
            networks: {a: {arch: resnet8}, b: {arch: resnet8}, c: {arch: resnet8}}
            train: {epochs: 2, batch_size: 64, log_every: 1, threads: 1}
            method: {name: okdcr, okdcr: {divergence: DIV, temperature: 3, lambda_intra: 1, lambda_inter: 0.5, lambda_ens: 2}}
            """;

    // tools/reference_values.py, section OKDCR: logits Z[peer][head][sample][class], 3 x 2 x 3 x 4
    static final float[] Z = {-1.64026904e+00f, 7.91262329e-01f, 1.79781699e+00f, -2.77680779e+00f,
        -3.33992034e-01f, 5.70299923e-01f, -1.28218305e+00f, -1.78731084e+00f, 1.85308599e+00f, -1.07102442e+00f,
        -2.31944060e+00f, -9.20314312e-01f, 1.41707814e+00f, 2.02551079e+00f, 4.60793734e-01f, 2.18033028e+00f,
        -3.16532922e+00f, -6.49133265e-01f, 3.85273623e+00f, -6.60023451e-01f, 3.96890104e-01f, 1.56414533e+00f,
        2.07821536e+00f, -1.44902146e+00f, -4.18680847e-01f, -4.30683047e-01f, -3.63145733e+00f, -6.90483928e-01f,
        -4.12295580e+00f, 1.34820139e+00f, -2.64669156e+00f, -2.71953797e+00f, -1.67056456e-01f, -4.69558649e-02f,
        3.48750710e-01f, 4.59668541e+00f, 1.91420436e+00f, -1.32373512e+00f, -1.65690410e+00f, -1.21136057e+00f,
        -2.80250168e+00f, 2.59467173e+00f, 3.28186655e+00f, -2.11336827e+00f, -5.23173451e-01f, -5.00265241e-01f,
        1.00224292e+00f, 5.20072401e-01f, -3.56385231e-01f, -5.18997729e-01f, -2.89758816e-02f, -7.67781973e-01f,
        -5.93233967e+00f, -2.12110996e+00f, -6.17992580e-01f, 1.86857641e+00f, 3.09923816e+00f, 1.19780004e+00f,
        -1.27533555e+00f, -4.57163763e+00f, -7.35328317e-01f, -1.76436198e+00f, 1.09202409e+00f, 2.97024250e-01f,
        -1.51130712e+00f, 7.83490956e-01f, 1.49396169e+00f, 2.75954461e+00f, 2.57543969e+00f, 1.73687613e+00f,
        -2.76439691e+00f, -1.92645717e+00f};

    record Reference(float[] weights, float[][] terms, float[] grad) {}

    // per peer: c1 ce, inter, ens; c2 ce, inter, ens; intra
    static final Reference SYMMETRIC_KL = new Reference(
            new float[] {1.37521237e-01f, 3.23360533e-01f, 5.39118290e-01f, 4.70636189e-02f, 1.97356001e-01f,
                7.55580425e-01f, 9.49997529e-02f, 1.83136731e-01f, 7.21863449e-01f},
            new float[][] {
                {1.44482768e+00f, 1.70419633e+00f, 1.41382444e+00f, 2.62797713e+00f, 1.26840401e+00f,
                    1.62348366e+00f, 2.26027083e+00f},
                {3.31351256e+00f, 2.77283359e+00f, 2.85256743e+00f, 3.79919839e+00f, 1.54192209e+00f,
                    2.19908214e+00f, 1.27865183e+00f},
                {5.90439141e-01f, 2.35564613e+00f, 4.92998958e-01f, 1.36680257e+00f, 1.97304702e+00f,
                    2.89490849e-01f, 2.03569412e-01f}},
            new float[] {-2.34564632e-01f, -3.14600468e-01f, 8.01738024e-01f, -2.52572894e-01f, 5.58278561e-01f,
                4.00995910e-01f, -3.04320216e-01f, -6.54954076e-01f, 3.11153710e-01f, -1.77123755e-01f,
                -1.19618706e-01f, -1.44111458e-02f, -5.21793142e-02f, -1.19427010e-01f, -2.82682598e-01f,
                4.54289019e-01f, -5.70527911e-02f, -2.47982994e-01f, 9.65671360e-01f, -6.60635591e-01f,
                -8.16893935e-01f, 1.24874286e-01f, 7.67685413e-01f, -7.56658092e-02f, -9.52459872e-04f,
                -2.96663493e-02f, -2.53621221e-01f, 2.84239948e-01f, -1.03592430e-03f, 9.20050085e-01f,
                -2.58368105e-01f, -6.60646081e-01f, -8.12895536e-01f, -1.99520096e-01f, -9.02552158e-02f,
                1.10267091e+00f, 8.28406394e-01f, -4.85478342e-01f, -1.65331542e-01f, -1.77596599e-01f,
                -1.58507116e-02f, 8.71911794e-02f, 6.46183610e-01f, -7.17523932e-01f, -6.00109935e-01f,
                -1.12984851e-01f, 6.33530021e-01f, 7.95648843e-02f, 1.30415201e-01f, -2.17036441e-01f,
                6.91130161e-02f, 1.75082460e-02f, -5.79254888e-02f, -2.56294668e-01f, -6.84681386e-02f,
                3.82688314e-01f, 1.99093282e-01f, 6.17505237e-03f, -1.22561790e-02f, -1.93012089e-01f,
                -2.16175616e-01f, -4.85390186e-01f, 5.69424748e-01f, 1.32141039e-01f, 3.23317014e-02f,
                -1.61805823e-02f, -1.49097651e-01f, 1.32946566e-01f, 2.15834230e-02f, 1.97346985e-01f,
                -1.52390182e-01f, -6.65402040e-02f});

    static final Reference L1 = new Reference(
            new float[] {2.50462741e-01f, 2.97647506e-01f, 4.51889724e-01f, 1.55064866e-01f, 2.49712899e-01f,
                5.95222294e-01f, 1.67479470e-01f, 2.26796031e-01f, 6.05724454e-01f},
            new float[][] {
                {1.44482768e+00f, 1.09830558e+00f, 1.18691361e+00f, 2.62797713e+00f, 1.07317197e+00f,
                    1.39000094e+00f, 1.56107366e+00f},
                {3.31351256e+00f, 1.40955114e+00f, 2.47164464e+00f, 3.79919839e+00f, 1.20176244e+00f,
                    1.77121103e+00f, 1.24365425e+00f},
                {5.90439141e-01f, 1.19619465e+00f, 7.45722055e-01f, 1.36680257e+00f, 1.39262843e+00f,
                    4.02572989e-01f, 4.87479061e-01f}},
            new float[] {-1.45221680e-01f, -3.44468236e-01f, 6.30734324e-01f, -1.41044304e-01f, 3.33462298e-01f,
                2.67439365e-01f, -1.06398508e-01f, -4.94503140e-01f, 1.25060603e-01f, -1.13811456e-01f,
                -4.17521819e-02f, 3.05031240e-02f, -9.82555747e-03f, -1.18246712e-01f, -1.30041853e-01f,
                2.58114189e-01f, -2.61086859e-02f, -1.35241225e-01f, 7.01425791e-01f, -5.40076017e-01f,
                -6.11264884e-01f, 1.97451591e-01f, 4.78778124e-01f, -6.49648160e-02f, 1.00527778e-02f,
                -5.12025952e-02f, -1.68611839e-01f, 2.09761679e-01f, 8.26602802e-03f, 6.79926276e-01f,
                -1.59067720e-01f, -5.29124796e-01f, -6.18965268e-01f, -1.53318882e-01f, -1.47192273e-02f,
                7.87003458e-01f, 6.24643564e-01f, -4.16566581e-01f, -1.16767265e-01f, -9.13098231e-02f,
                -2.52276883e-02f, 1.49067223e-01f, 4.76032853e-01f, -5.99872351e-01f, -4.87857103e-01f,
                -5.96200712e-02f, 3.98276329e-01f, 1.49200961e-01f, 1.77621365e-01f, -2.33959600e-01f,
                5.21164909e-02f, 4.22171503e-03f, -4.62941118e-02f, -1.35487780e-01f, -9.58696604e-02f,
                2.77651489e-01f, 1.36216626e-01f, 2.17946433e-02f, -2.98785381e-02f, -1.28132641e-01f,
                -1.39698088e-01f, -4.49141443e-01f, 4.65480119e-01f, 1.23359516e-01f, 2.13373937e-02f,
                5.70379198e-03f, 3.07117999e-02f, -5.77530190e-02f, -1.05514526e-01f, 2.49574736e-01f,
                -7.96822384e-02f, -6.43779263e-02f});

    private Run run(String divergence) throws IOException {
        Path p = dir.resolve("okdcr-" + divergence + ".yaml");
        Files.writeString(p, CONFIG.replace("DIV", divergence));
        return Run.build(ConfigLoader.load(p, List.of()));
    }

    /**
     * Bounds for OKDCR's terms on these logits, ours and PyTorch's both float32 evaluations (other operations,
     * other orders): each term is a chain of at most L = 60 roundings (log-softmaxes of 4 classes, 4 + 5 + 3; the
     * divergences' sums over 4 and means over 3; the weights' softmax over 3 peers; the ensemble's weighted mean of 6
     * softmaxes; the KL to it; the factors) on summands whose absolute values sum to at most M, within gamma(L) M
     * each: twice that between the two. With R the largest range (max - min) of a row of logits, every log-probability
     * at temperature T, of a softmax or of a mixture of softmaxes, is at most R / T + log 4 in size, so per sample
     * sum p (|log p| + |log q| + 2) <= A_T = 2 (R / T + log 4) + 2 (the 2: the log-softmaxes' absolute (k + 5) u):
     * <ul>
     * <li>ce: R + log 4 + 2; intra: lambda_intra A_1 (symmetric KL: the mean of two KLs) or lambda_intra 2 (L1: sum
     * |p - q| of probabilities); inter: the same for the 2 other peers, times lambda_inter;</li>
     * <li>ens: lambda_ens ramp T^2 A_T, and the weights' own error: they are a softmax over the peers of -d / tau_w,
     * each d within gamma(L) A_d (A_d: A_1 or 2), so relative 2 gamma(L) A_d / tau_w more on the ensemble: the factor
     * (1 + 2 A_d / tau_w);</li>
     * <li>the weights: relative 2 gamma(L) A_d / tau_w + gamma(10) (their softmax);</li>
     * <li>the gradient, per logit: (1 / n) (2 (CE) + lambda_intra (A_1 + 2) + 2 lambda_inter (A_1 + 2) + 2 T lambda_ens)
     * (the derivative of a KL-type term in its logits is (1 / n) p (|r| + KL) + |p - q| at most; of T^2 KL at T, T
     * times that; the weights and the ensemble are detached).</li>
     * </ul>
     */
    static final int CHAIN = 60;

    static double range() {
        double r = 0;
        for (int row = 0; row < Z.length / 4; row++) {
            double max = Double.NEGATIVE_INFINITY;
            double min = Double.POSITIVE_INFINITY;
            for (int j = 0; j < 4; j++) {
                max = Math.max(max, Z[row * 4 + j]);
                min = Math.min(min, Z[row * 4 + j]);
            }
            r = Math.max(r, max - min);
        }
        return r;
    }

    @Test
    void lossTermsAndGradientsMatchPyTorch() throws IOException {
        double g = FloatBounds.gamma(CHAIN);
        double r = range();
        double a1 = 2 * (r + Math.log(4)) + 2;
        double a3 = 2 * (r / 3 + Math.log(4)) + 2;
        for (String div : List.of("symmetric_kl", "l1")) {
            Reference ref = div.equals("l1") ? L1 : SYMMETRIC_KL;
            double ad = div.equals("l1") ? 2 : a1;
            // lambda_intra 1, lambda_inter 0.5, lambda_ens 2, ramp 0.5, T 3, tau_w 1 (CONFIG and the call below)
            double[] magnitude = {r + Math.log(4) + 2, 0.5 * 2 * ad, 2 * 0.5 * 9 * a3 * (1 + 2 * ad)};
            double[] termBound = {2 * g * magnitude[0], 2 * g * magnitude[1], 2 * g * magnitude[2],
                2 * g * magnitude[0], 2 * g * magnitude[1], 2 * g * magnitude[2], 2 * g * ad};
            double gradientBound = 2 * g * (2 + (a1 + 2) + 2 * 0.5 * (a1 + 2) + 2 * 3 * 2) / 3;
            double weightBound = 2 * (2 * g * ad + FloatBounds.gamma(10));
            try (Run run = run(div); NDManager m = NDManager.newBaseManager()) {
                Okdcr okdcr = (Okdcr) run.method();
                NDArray all = m.create(Z, new Shape(3, 2, 3, 4));
                all.setRequiresGradient(true);
                NDArray labels = m.create(new long[] {1, 3, 0});
                Map<String, Float> values;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    List<NDArray> z1 = new ArrayList<>();
                    List<NDArray> z2 = new ArrayList<>();
                    for (int p = 0; p < 3; p++) {
                        z1.add(all.get(p + ",0"));
                        z2.add(all.get(p + ",1"));
                    }
                    NDArray w = okdcr.ensembleWeights(z1, z2);
                    float[] weights = w.toFloatArray();
                    for (int i = 0; i < weights.length; i++) {
                        assertThat((double) weights[i]).as("%s weight %d", div, i)
                                .isCloseTo(ref.weights()[i], within(weightBound * ref.weights()[i]));
                    }
                    Losses losses = okdcr.losses(z1, z2, z -> DistillLoss.crossEntropy(z, labels), 0.5);
                    values = losses.scalars();
                    gc.backward(losses.total());
                }
                String[] peers = {"a", "b", "c"};
                for (int p = 0; p < 3; p++) {
                    float[] t = ref.terms()[p];
                    String c1 = peers[p] + "/";
                    String c2 = peers[p] + ".c2/";
                    float[] got = {values.get(c1 + "ce"), values.get(c1 + "inter"), values.get(c1 + "ens"),
                        values.get(c2 + "ce"), values.get(c2 + "inter"), values.get(c2 + "ens"),
                        values.get(c1 + "intra")};
                    for (int i = 0; i < t.length; i++) {
                        assertThat((double) got[i]).as("%s peer %d term %d", div, p, i)
                                .isCloseTo(t[i], within(termBound[i]));
                    }
                }
                float[] grad = all.getGradient().toFloatArray();
                for (int i = 0; i < grad.length; i++) {
                    assertThat((double) grad[i]).as("%s gradient %d", div, i)
                            .isCloseTo(ref.grad()[i], within(gradientBound));
                }
            }
        }
    }

    @Test
    void ensembleWeightsSumToOneAndFavourTheSelfConsistentPeer() throws IOException {
        try (Run run = run("symmetric_kl"); NDManager m = NDManager.newBaseManager()) {
            Okdcr okdcr = (Okdcr) run.method();
            NDArray consistent = m.create(new float[] {2, 0, -1, 0, 1, 3, 0, 0}, new Shape(2, 4));
            NDArray a = m.create(new float[] {3, 0, 0, 0, 0, 0, 3, 0}, new Shape(2, 4));
            NDArray b = m.create(new float[] {0, 3, 0, 0, 0, 0, 0, 3}, new Shape(2, 4));
            NDArray mild = m.create(new float[] {1, 0.5f, 0, 0, 0, 0, 1, 0.5f}, new Shape(2, 4));
            NDArray mild2 = m.create(new float[] {0.5f, 1, 0, 0, 0, 0, 0.5f, 1}, new Shape(2, 4));
            // peer 0: both heads agree; peer 1: heads disagree strongly; peer 2: heads disagree mildly
            float[] w = okdcr.ensembleWeights(List.of(consistent, a, mild), List.of(consistent, b, mild2))
                    .toFloatArray();
            for (int i = 0; i < 2; i++) {
                // a softmax over 3 (the sum of 3 exponentials, 3 divisions) and the float sum here (2): gamma(11)
                assertThat(w[3 * i] + w[3 * i + 1] + w[3 * i + 2]).isCloseTo(1f, within((float) FloatBounds.gamma(11)));
                assertThat(w[3 * i]).isGreaterThan(w[3 * i + 2]);
                assertThat(w[3 * i + 2]).isGreaterThan(w[3 * i + 1]);
            }
        }
    }

    @Test
    void rampUpReachesOneAtFourFifthsOfTraining() {
        assertThat(Okdcr.rampUp(1.25, 0, 1000)).isEqualTo(0.0);
        // exact: 1.25 * 400 = 500, 1.25 * 800 = 1000 and 2 * 250 = 500 are exact in double, and so are their
        // quotients by 1000 (0.5 and 1)
        assertThat(Okdcr.rampUp(1.25, 400, 1000)).isEqualTo(0.5);
        assertThat(Okdcr.rampUp(1.25, 800, 1000)).isEqualTo(1.0);
        assertThat(Okdcr.rampUp(1.25, 999, 1000)).isEqualTo(1.0);
        assertThat(Okdcr.rampUp(2.0, 250, 1000)).isEqualTo(0.5);
    }

    static List<float[]> values(List<Net> nets) {
        List<float[]> out = new ArrayList<>();
        for (Net n : nets) {
            n.block().getParameters().forEach(p -> out.add(p.getValue().getArray().toFloatArray()));
        }
        return out;
    }

    @Test
    void trainsBothHeadsReportsEveryOutputAndResumesExactly() throws IOException {
        Path cfg = dir.resolve("two.yaml");
        Files.writeString(cfg, CONFIG.replace("DIV", "symmetric_kl").replace(", c: {arch: resnet8}", ""));
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        List<float[]> straight;
        List<float[]> before;
        try (Run r = Run.build(ConfigLoader.load(cfg, List.of()))) {
            before = values(r.method().ownNetworks());
            new RunFolder(r, dir.resolve("o1"), quiet).train(false, null);
            straight = values(r.optimized());
            List<float[]> heads = values(r.method().ownNetworks());
            for (int i = 0; i < heads.size(); i++) {
                assertThat(heads.get(i)).isNotEqualTo(before.get(i)); // the second heads learn
            }
        }
        JsonObject s = JsonParser.parseString(Files.readString(dir.resolve("o1/summary.json"))).getAsJsonObject();
        assertThat(s.getAsJsonObject("networks").keySet())
                .containsExactly("a", "b", "peers_mean", "a.c1", "a.c2", "b.c1", "b.c2", "ensemble");
        String metrics = Files.readString(dir.resolve("o1/metrics.jsonl"));
        assertThat(metrics).contains("\"a/intra\"", "\"a/inter\"", "\"a/ens\"", "\"a.c2/ce\"", "\"b.c2/ens\"");
        Checkpoint c = Checkpoint.read(dir.resolve("o1/checkpoints/last.ckpt"));
        assertThat(c.meta().getAsJsonObject("networks").keySet()).containsExactly("a", "b", "a.c2", "b.c2");
        try (Run r = Run.build(ConfigLoader.load(cfg, List.of()))) {
            new RunFolder(r, dir.resolve("o2"), quiet).train(false, 4L);
        }
        try (Run r = Run.build(ConfigLoader.load(cfg, List.of()))) {
            new RunFolder(r, dir.resolve("o2"), quiet).train(true, null);
            List<float[]> resumed = values(r.optimized());
            assertThat(resumed).hasSameSizeAs(straight);
            for (int i = 0; i < straight.size(); i++) {
                assertThat(resumed.get(i)).containsExactly(straight.get(i));
            }
        }
    }
}
