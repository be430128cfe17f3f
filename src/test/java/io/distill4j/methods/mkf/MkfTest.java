package io.distill4j.methods.mkf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.FloatBounds;
import io.distill4j.config.ConfigLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.loop.Stepper;
import io.distill4j.models.SubNetwork;
import io.distill4j.run.Run;
import io.distill4j.runfolder.MetricsLog;
import io.distill4j.runfolder.RunFolder;
import io.distill4j.runtime.Net;
import io.distill4j.util.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** MKF's step, computed by hand on the same draws: sub-network of the group, group KL, knowledge update. */
class MkfTest {
    @TempDir
    Path dir;

    static final String BASE = """
            seed: 6
            data: {name: fashion-mnist-mini, train_subset: 96, pad_crop: 2, flip: true MIX}
            networks: {student: {arch: resnet20}}
            train: {epochs: 6, batch_size: 32, threads: 1}
            optim: {lr: 0.05}
            method: {name: mkf, mkf: {groups: 3, temperature: 2, beta: 1.5}}
            """;

    private Run run(String mix) throws IOException {
        return run(mix, "groups: 3");
    }

    private Run run(String mix, String groups) throws IOException {
        Path p = dir.resolve("mkf.yaml");
        Files.writeString(p, BASE.replace(" MIX", mix).replace("groups: 3", groups));
        return Run.build(ConfigLoader.load(p, List.of()));
    }

    /**
     * softmax(z / T) of the network under {@code sub} on {@code hb}'s view 0, in training mode, computed as the step
     * computes it: exp(log-softmax(z / T)) for the trained (sub-)network's outputs, softmax(z / T) for the whole
     * network's beside it (every_step's full_probs). The same operations on the same forward: bit for bit.
     */
    private static float[] probs(Net net, SubNetwork sub, HostBatch hb, NDManager m, float t, boolean viaLog) {
        try (Net.SubNetworkScope s = net.use(sub)) {
            NDArray z = net.logits(hb.view(m, 0), true).div(t);
            return (viaLog ? z.logSoftmax(1).exp() : z.softmax(1)).toFloatArray();
        }
    }

    @Test
    void groupsCycleAndEachStepStoresItsOutputsAsTheGroupsKnowledge() throws IOException {
        try (Run run = run("")) {
            Mkf mkf = (Mkf) run.method();
            Net net = run.nets().get(0);
            InheritedSampler sampler = new InheritedSampler(net.block(), 3, 0.5, 3);
            Stepper d = new Stepper(run);
            for (int step = 0; step < 6; step++) {
                int epoch = step / 3;
                HostBatch hb = run.trainLoader().batch(epoch, step % 3);
                SubNetwork sub = sampler.at(step, s -> Seeds.rng(6, "mkf-sample", s));
                int group = step % 3;
                float[] before = new float[hb.size() * 10];
                boolean[] seen = new boolean[hb.size()];
                mkf.knowledge().lookup(group, hb.indices(), before, seen);
                float[] p;
                try (NDManager m = run.manager().newSubManager()) {
                    p = probs(net, sub, hb, m, 2f, true);
                }
                d.step();
                float[] after = mkf.knowledge().lookup(group, hb.indices());
                for (int i = 0; i < hb.size(); i++) {
                    for (int c = 0; c < 10; c++) {
                        int k = i * 10 + c;
                        // exact: the step's softmax(z / 2) of the same training-mode forward (same sub-network,
                        // batch and kernels) and the knowledge's EMA, the same two float products and sum as here
                        float expected = seen[i] ? 0.5f * p[k] + 0.5f * before[k] : p[k];
                        assertThat(after[k]).as("step %d sample %d class %d", step, i, c).isEqualTo(expected);
                    }
                }
            }
            assertThat(net.block().isWhole()).isTrue();
        }
    }

    @Test
    void withNothingDroppedAndNoDistillationItIsTheBaselineWithMixingBitForBit() throws IOException {
        List<List<float[]>> weights = new ArrayList<>();
        for (String method : List.of("{name: baseline}", "{name: mkf, mkf: {q_max: 0, group_distillation: false}}")) {
            Path p = dir.resolve("sanity.yaml");
            Files.writeString(p, BASE.replace(" MIX", ", mix: compound, mix_warmup: 0")
                    .replaceAll("method: .*\n", "method: " + method + "\n"));
            try (Run run = Run.build(ConfigLoader.load(p, List.of()))) {
                Stepper d = new Stepper(run);
                for (int step = 0; step < 7; step++) {
                    d.step();
                }
                List<float[]> w = new ArrayList<>();
                for (var param : run.nets().get(0).block().getParameters()) {
                    w.add(param.getValue().getArray().toFloatArray());
                }
                weights.add(w);
            }
        }
        assertThat(weights.get(1)).hasSameSizeAs(weights.get(0));
        for (int i = 0; i < weights.get(0).size(); i++) {
            assertThat(weights.get(1).get(i)).as("parameter %d", i).containsExactly(weights.get(0).get(i));
        }
    }

    @Test
    void everyStepTrainsTheWholeNetworkAndOneSubNetworkOfTheNextGroupsInTurn() throws IOException {
        try (Run run = run("", "groups: 3, schedule: every_step, log_knowledge_age: true")) {
            Mkf mkf = (Mkf) run.method();
            Net net = run.nets().get(0);
            InheritedSampler sampler = new InheritedSampler(net.block(), 3, 0.5, 3);
            Stepper d = new Stepper(run);
            for (int step = 0; step < 6; step++) {
                HostBatch hb = run.trainLoader().batch(step / 3, step % 3);
                // step s trains group 2 + s mod 2 (1-based) with the sub-network at that position of cycle s / 2
                long cycleStep = (step / 2) * 3L + step % 2 + 1;
                SubNetwork sub = sampler.at(cycleStep, s -> Seeds.rng(6, "mkf-sample", s));
                int group = 1 + step % 2;
                float[] fullBefore = new float[hb.size() * 10];
                boolean[] fullSeen = new boolean[hb.size()];
                mkf.knowledge().lookup(0, hb.indices(), fullBefore, fullSeen);
                float[] pFull;
                float[] pSub;
                try (NDManager m = run.manager().newSubManager()) {
                    pFull = probs(net, SubNetwork.whole(sampler.size()), hb, m, 2f, false);
                    pSub = probs(net, sub, hb, m, 2f, true);
                }
                Map<String, Float> losses = d.step();
                assertThat(losses).containsKeys("student/ce", "student/sub_ce");
                if (step < 3) { // epoch 0: no sample has been seen by the previous group before
                    assertThat(losses).as("step %d", step).doesNotContainKey("student/group_kl");
                } else if (group == 1) { // the whole network's knowledge covers every sample after epoch 0
                    assertThat(losses).as("step %d", step).containsKey("student/group_kl");
                }
                float[] full = mkf.knowledge().lookup(0, hb.indices());
                float[] subK = mkf.knowledge().lookup(group, hb.indices());
                for (int i = 0; i < hb.size() * 10; i++) {
                    // exact, as above: the same forwards and softmaxes, the same float EMA
                    float expected = fullSeen[i / 10] ? 0.5f * pFull[i] + 0.5f * fullBefore[i] : pFull[i];
                    assertThat(full[i]).as("step %d: the whole network's knowledge", step).isEqualTo(expected);
                    if (step < 3) { // first epoch: group `group`'s knowledge is this step's output
                        assertThat(subK[i]).as("step %d: the sub-network's knowledge", step).isEqualTo(pSub[i]);
                    }
                }
            }
            assertThat(net.block().isWhole()).isTrue();
        }
    }

    @Test
    void aGroupIsDistilledFromThePreviousGroupsKnowledgeOfTheSamplesThatHaveIt() throws IOException {
        try (Run run = run("")) {
            Mkf mkf = (Mkf) run.method();
            Net net = run.nets().get(0);
            InheritedSampler sampler = new InheritedSampler(net.block(), 3, 0.5, 3);
            Stepper d = new Stepper(run);
            boolean checked = false;
            for (int step = 0; step < 18 && !checked; step++) {
                int group = step % 3;
                HostBatch hb = run.trainLoader().batch(step / 3, step % 3);
                float[] k = new float[hb.size() * 10];
                boolean[] seen = new boolean[hb.size()];
                if (group > 0) {
                    mkf.knowledge().lookup(group - 1, hb.indices(), k, seen);
                }
                int count = 0;
                for (boolean s : seen) {
                    count += s ? 1 : 0;
                }
                SubNetwork sub = sampler.at(step, s -> Seeds.rng(6, "mkf-sample", s));
                double expected = 0;
                double err = 0;
                double abs = 0;
                try (NDManager m = run.manager().newSubManager()) {
                    NDArray logp;
                    try (Net.SubNetworkScope s = net.use(sub)) {
                        logp = net.logits(hb.view(m, 0), true).div(2f).logSoftmax(1);
                    }
                    float[] lp = logp.toFloatArray();
                    for (int i = 0; i < hb.size(); i++) {
                        if (!seen[i]) {
                            continue;
                        }
                        for (int c = 0; c < 10; c++) {
                            float t = k[i * 10 + c];
                            double term = t * (Math.log(Math.max(t, 1e-12)) - lp[i * 10 + c]);
                            expected += term;
                            // the step's float log (4 u of its size, a vectorised log), difference and product (u
                            // each of theirs); its log-softmax is this one (same forward, same kernel)
                            err += t * (4 * FloatBounds.U * Math.abs(Math.log(Math.max(t, 1e-12))) + FloatBounds.U
                                    * Math.abs(Math.log(Math.max(t, 1e-12)) - lp[i * 10 + c])) + FloatBounds.U * Math.abs(term);
                            abs += Math.abs(term);
                        }
                    }
                }
                Map<String, Float> losses = d.step();
                assertThat(losses.containsKey("student/group_kl")).as("step %d", step).isEqualTo(count > 0);
                if (count > 0 && count < hb.size()) { // a batch where only some samples have knowledge
                    // here in double; the step in float32: the terms as above, the sums over 10 classes and the
                    // batch of 32 (gamma(42) of the terms' absolute sum), the masked mean and the factors beta T^2
                    // (3 u of the value)
                    double value = 1.5 * 4 * expected / count;
                    double bound = 1.5 * 4 / count * (err + FloatBounds.gamma(42) * abs) + 3 * FloatBounds.U * Math.abs(value);
                    assertThat((double) losses.get("student/group_kl")).isCloseTo(value, within(bound));
                    checked = true;
                }
            }
            assertThat(checked).as("a step with partial knowledge occurred").isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"permutation", "second_batch"})
    void aMixedBatchUpdatesBothImagesThroughTheExactFraction(String partner) throws IOException {
        try (Run run = run(", mix: mixup, mix_partner: " + partner, "groups: 1")) {
            Mkf mkf = (Mkf) run.method();
            Net net = run.nets().get(0);
            Stepper d = new Stepper(run);
            for (int step = 0; step < 3; step++) { // one group: most images have knowledge now
                d.step();
            }
            int perEpoch = run.trainLoader().batchesPerEpoch(); // 3 batches of 32, or 1 step of two
            HostBatch hb = run.trainLoader().batch(3 / perEpoch, 3 % perEpoch);
            assertThat(hb.mixed()).isTrue();
            assertThat(hb.mix().withinBatch()).isEqualTo(partner.equals("permutation"));
            int n = hb.size();
            int[] a = hb.indices();
            int[] b = hb.mix().partnerIndices();
            float[] kA = new float[n * 10];
            float[] kB = new float[n * 10];
            boolean[] okA = new boolean[n];
            boolean[] okB = new boolean[n];
            mkf.knowledge().lookup(0, a, kA, okA);
            mkf.knowledge().lookup(0, b, kB, okB);
            float[] p;
            try (NDManager m = run.manager().newSubManager()) {
                p = probs(net, SubNetwork.whole(net.block().residualUnits().size()), hb, m, 2f, true);
            }
            Set<Integer> observed = new HashSet<>();
            for (int s = 0; s < n; s++) { // an image without knowledge takes the mixed output as its prior
                if (okA[s]) {
                    observed.add(a[s]);
                } else {
                    System.arraycopy(p, s * 10, kA, s * 10, 10);
                }
                if (okB[s]) {
                    observed.add(b[s]);
                } else {
                    System.arraycopy(p, s * 10, kB, s * 10, 10);
                }
            }
            KnowledgeFraction.BatchFraction f = KnowledgeFraction.batch(KnowledgeFraction.Mode.EXACT, p,
                    kA.clone(), kB.clone(), hb.lambda(), 10, 0.05);
            d.step();
            // replay the EMA updates in the method's order: for each pair, image a then image b
            Map<Integer, float[]> expected = new HashMap<>();
            for (int s = 0; s < n; s++) {
                expected.put(a[s], Arrays.copyOfRange(kA, s * 10, s * 10 + 10));
                expected.put(b[s], Arrays.copyOfRange(kB, s * 10, s * 10 + 10));
            }
            int updated = 0;
            for (int s = 0; s < n; s++) {
                for (int side = 0; side < 2; side++) {
                    boolean up = side == 0 ? f.updateA()[s] : f.updateB()[s];
                    float[] src = side == 0 ? f.pA() : f.pB();
                    float[] v = expected.get(side == 0 ? a[s] : b[s]);
                    if (up) {
                        updated++;
                        boolean first = observed.add(side == 0 ? a[s] : b[s]); // first observation initialises
                        for (int c = 0; c < 10; c++) {
                            v[c] = first ? src[s * 10 + c] : 0.5f * src[s * 10 + c] + 0.5f * v[c];
                        }
                    }
                }
            }
            assertThat(updated).isGreaterThan(n); // both sides of most pairs
            if (partner.equals("second_batch")) { // the knowledge of 2B distinct images from B forwarded
                assertThat(Arrays.stream(b).filter(i -> Arrays.stream(a).anyMatch(j -> j == i))).isEmpty();
            }
            for (var e : expected.entrySet()) {
                if (!observed.contains(e.getKey())) {
                    continue; // never updated: still without knowledge
                }
                float[] now = mkf.knowledge().lookup(0, new int[] {e.getKey()});
                // exact: the same probabilities (the step's training-mode forward), the same Java fraction of them and
                // the same float EMA in the method's order
                assertThat(now).as("image %d", e.getKey()).containsExactly(e.getValue());
            }
        }
    }

    @Test
    void theKnowledgeStoresSizeIsReportedWithTheRun() throws IOException {
        try (Run run = run("")) {
            Mkf mkf = (Mkf) run.method();
            assertThat(mkf.knowledge().bytes()).isEqualTo(GroupKnowledge.bytesFor(96, 10, 3,
                    GroupKnowledge.Mode.DENSE, 0, false));
            assertThat(mkf.notes()).singleElement().asString().contains("group knowledge", "MB");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"permutation", "second_batch"})
    void diagnosticsLogTheTrueFractionLossWithoutChangingTheRun(String partner) throws IOException {
        List<float[]> plain;
        List<float[]> diagnosed;
        Path out = dir.resolve("diag");
        String mix = ", mix: mixup, mix_partner: " + partner;
        try (Run run = run(mix)) {
            new RunFolder(run, dir.resolve("plain"), new PrintStream(
                    OutputStream.nullOutputStream())).train(false, null);
            plain = weights(run);
        }
        Path p = dir.resolve("mkf.yaml");
        Files.writeString(p, BASE.replace(" MIX", mix).replace("beta: 1.5", "beta: 1.5, diagnose_every: 2"));
        try (Run run = Run.build(ConfigLoader.load(p, List.of()))) {
            new RunFolder(run, out, new PrintStream(OutputStream.nullOutputStream()))
                    .train(false, null);
            diagnosed = weights(run);
        }
        for (int i = 0; i < plain.size(); i++) {
            assertThat(diagnosed.get(i)).as("parameter %d", i).containsExactly(plain.get(i));
        }
        List<JsonObject> lines = MetricsLog.readLines(
                MetricsLog.path(out)).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject())
                .filter(j -> j.get("event").getAsString().equals("diagnostic")).toList();
        // 18 steps (6 of two batches), every second one, every batch mixed
        assertThat(lines).hasSize(partner.equals("permutation") ? 9 : 3);
        for (var j : lines) {
            for (String mode : List.of("none", "linear", "exact", "random")) {
                assertThat(j.get("fraction_loss/" + mode).getAsDouble()).isFinite().isNotNegative();
            }
        }
    }

    private static List<float[]> weights(Run run) {
        List<float[]> out = new ArrayList<>();
        for (var p : run.nets().get(0).block().getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }
}
