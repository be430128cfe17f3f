package io.distill4j.data;

import io.distill4j.UserError;
import io.distill4j.config.ConfigLoader;
import io.distill4j.config.DataConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Mixup, the mix a batch carries (partners' dataset indices), and the mixing policies. */
class MixingTest {
    @TempDir
    Path dir;

    static final int N = 6;
    static final int C = 2;
    static final int H = 4;
    static final int W = 4;

    static HostBatch batch() {
        SplittableRandom r = new SplittableRandom(3);
        float[][] views = new float[2][N * C * H * W];
        for (float[] v : views) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
        }
        return new HostBatch(views, new int[] {0, 1, 2, 3, 4, 5}, new int[] {40, 41, 42, 43, 44, 45}, C, H, W);
    }

    @Test
    void mixupMixesEveryPixelOfEveryViewWithThePartnerAndSaysWho() {
        HostBatch b = batch();
        HostBatch m = new Mixup(1.0, 1.0).apply(b, new SplittableRandom(7));
        assertThat(m.mixed()).isTrue();
        Mix mix = m.mix();
        assertThat(mix.kind()).isEqualTo(Mix.Kind.MIXUP);
        float lam = mix.lambda();
        int sample = C * H * W;
        for (int i = 0; i < N; i++) {
            int p = mix.partnerIndices()[i] - 40; // dataset index 40 + position here
            assertThat(mix.partnerLabels()[i]).isEqualTo(b.labels()[p]);
            for (int v = 0; v < 2; v++) {
                for (int k = 0; k < sample; k++) {
                    // exact: Mixup's own float expression (Java float arithmetic: the same on every machine)
                    float expected = lam * b.views()[v][i * sample + k] + (1 - lam) * b.views()[v][p * sample + k];
                    assertThat(m.views()[v][i * sample + k]).isEqualTo(expected);
                }
            }
        }
        float[] t = m.targets(N);
        for (int i = 0; i < N; i++) {
            float sum = 0;
            for (int c = 0; c < N; c++) {
                sum += t[i * N + c];
            }
            // exact: lambda + fl(1 - lambda) and zeros; fl(1 - lambda) is within 2^-25 of 1 - lambda, so the sum
            // rounds to 1 (a tie at 1 - 2^-25 goes to the even 1)
            assertThat(sum).isEqualTo(1f);
        }
        assertThat(new Mixup(0.0, 1.0).apply(b, new SplittableRandom(1))).isSameAs(b);
    }

    @Test
    void cutmixCarriesThePartnersDatasetIndices() {
        HostBatch b = batch();
        HostBatch m = new CutMix(1.0, 1.0).apply(b, new SplittableRandom(5));
        assertThat(m.mix().kind()).isEqualTo(Mix.Kind.CUTMIX);
        for (int i = 0; i < N; i++) {
            assertThat(m.mix().partnerLabels()[i]).isEqualTo(m.mix().partnerIndices()[i] - 40);
        }
    }

    @Test
    void compoundMixesNothingDuringWarmupThenHalfTheBatchesEquallyByKind() {
        MixingPolicy p = MixingPolicy.of("compound", 1, 1, 0.1, 20); // epochs 0 and 1 unmixed
        HostBatch b = batch();
        for (int s = 0; s < 200; s++) {
            assertThat(p.apply(b, 1, new SplittableRandom(s))).isSameAs(b);
        }
        int draws = 4000;
        int none = 0;
        int mixup = 0;
        int cutmix = 0;
        double lamSum = 0;
        for (int s = 0; s < draws; s++) {
            HostBatch m = p.apply(b, 2, new SplittableRandom(s));
            if (!m.mixed()) {
                none++;
            } else if (m.mix().kind() == Mix.Kind.MIXUP) {
                mixup++;
                lamSum += m.lambda();
            } else {
                cutmix++;
            }
        }
        double se = Math.sqrt(0.25 * draws); // binomial standard error at p 0.5 (an upper bound for 0.25)
        assertThat((double) none).isCloseTo(0.5 * draws, within(4 * se));
        assertThat((double) mixup).isCloseTo(0.25 * draws, within(4 * se));
        assertThat((double) cutmix).isCloseTo(0.25 * draws, within(4 * se));
        assertThat(lamSum / mixup).as("Beta(1,1) mean").isCloseTo(0.5, within(4 * Math.sqrt(1.0 / 12 / mixup)));
    }

    @Test
    void aMixedBatchIsAPureFunctionOfSeedEpochAndIndex() {
        ImageDataset ds = Datasets.load("fashion-mnist-mini", null, null, 0).train();
        for (String policy : List.of("cutmix", "mixup", "compound")) {
            BatchLoader a = new BatchLoader(ds, 16, true, true, Augmenter.none(Datasets.normalization("fashion-mnist-mini", ds)), 2, 9)
                    .withMixing(MixingPolicy.of(policy, 0.7, 1.0, 0.0, 10));
            BatchLoader b = new BatchLoader(ds, 16, true, true, Augmenter.none(Datasets.normalization("fashion-mnist-mini", ds)), 2, 9)
                    .withMixing(MixingPolicy.of(policy, 0.7, 1.0, 0.0, 10));
            for (int i : new int[] {5, 0, 17, 5}) {
                HostBatch x = a.batch(3, i);
                HostBatch y = b.batch(3, i);
                assertThat(x.views()[1]).as(policy).containsExactly(y.views()[1]);
                assertThat(x.lambda()).isEqualTo(y.lambda());
            }
        }
    }

    @Test
    void aSecondBatchLoaderFormsEachStepFromTwoBatchesSoAnEpochDrawsEveryImageOnceInHalfTheSteps() {
        ImageDataset ds = Datasets.load("fashion-mnist-mini", null, null, 0).train();
        Augmenter aug = Augmenter.builder(Datasets.normalization("fashion-mnist-mini", ds)).padCrop(2)
                .horizontalFlip(0.5).build();
        BatchLoader drawn = new BatchLoader(ds, 64, true, true, aug, 1, 9);
        BatchLoader two = new BatchLoader(ds, 64, true, true, aug, 1, 9)
                .withMixing(MixingPolicy.of("compound", 1, 1, 0.0, 10), true);
        assertThat(two.mixesTwoBatches()).isTrue();
        assertThat(two.batchesPerEpoch()).isEqualTo(drawn.batchesPerEpoch() / 2);
        int[] kinds = new int[3]; // unmixed, mixup, cutmix
        for (int epoch = 0; epoch < 2; epoch++) {
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < two.batchesPerEpoch(); i++) {
                HostBatch a = drawn.batch(epoch, 2 * i);
                HostBatch b = drawn.batch(epoch, 2 * i + 1);
                HostBatch step = two.batch(epoch, i);
                if (!step.mixed()) { // both batches, unmixed, in one
                    kinds[0]++;
                    assertThat(step.size()).isEqualTo(128);
                    assertThat(step.indices()).startsWith(a.indices()).endsWith(b.indices());
                    assertThat(step.labels()).startsWith(a.labels()).endsWith(b.labels());
                    assertThat(step.views()[0]).startsWith(a.views()[0]).endsWith(b.views()[0]);
                    Arrays.stream(step.indices()).forEach(seen::add);
                    continue;
                }
                Mix mix = step.mix();
                assertThat(mix.withinBatch()).isFalse();
                assertThat(step.indices()).containsExactly(a.indices());
                assertThat(mix.partnerIndices()).containsExactly(b.indices());
                assertThat(mix.partnerLabels()).containsExactly(b.labels());
                assertThat(mix.partnerPositions()).containsExactly(IntStream.range(0, 64).toArray());
                assertThat(mix.unmixedViews()[0]).containsExactly(a.views()[0]);
                assertThat(mix.partnerViews()[0]).containsExactly(b.views()[0]);
                float lam = mix.lambda();
                float[] x = step.views()[0];
                for (int k = 0; k < x.length; k++) {
                    if (mix.kind() == Mix.Kind.MIXUP) {
                        // exact: Mixup's own float expression on the two batches' pixels
                        assertThat(x[k]).isEqualTo(lam * a.views()[0][k] + (1 - lam) * b.views()[0][k]);
                    } else { // CutMix: each pixel is the image's own or its partner's at the same place
                        assertThat(x[k]).isIn(a.views()[0][k], b.views()[0][k]);
                    }
                }
                kinds[mix.kind() == Mix.Kind.MIXUP ? 1 : 2]++;
                Arrays.stream(step.indices()).forEach(seen::add);
                Arrays.stream(mix.partnerIndices()).forEach(seen::add);
            }
            // every image of the first 2 x 64 x steps places of the epoch's order, each exactly once
            int[] order = drawn.order(epoch);
            Set<Integer> expected = new HashSet<>();
            for (int k = 0; k < 128 * two.batchesPerEpoch(); k++) {
                expected.add(order[k]);
            }
            assertThat(seen).isEqualTo(expected);
        }
        assertThat(kinds[0]).as("unmixed steps").isPositive();
        assertThat(kinds[1]).as("Mixup steps").isPositive();
        assertThat(kinds[2]).as("CutMix steps").isPositive();
        // a pure function of (seed, epoch, step), whatever was built before
        BatchLoader again = new BatchLoader(ds, 64, true, true, aug, 1, 9)
                .withMixing(MixingPolicy.of("compound", 1, 1, 0.0, 10), true);
        assertThat(again.batch(1, 7).views()[0]).containsExactly(two.batch(1, 7).views()[0]);
        assertThatThrownBy(() -> two.batchSize(0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void mixingWithASecondBatchDuringTheWarmUpJoinsTheTwo() {
        MixingPolicy p = MixingPolicy.of("mixup", 1, 1, 0.5, 4); // epochs 0 and 1 unmixed
        HostBatch a = batch();
        HostBatch b = new HostBatch(a.views(), a.labels(), new int[] {50, 51, 52, 53, 54, 55}, C, H, W);
        HostBatch warm = p.apply(a, b, 1, new SplittableRandom(1));
        assertThat(warm.mixed()).isFalse();
        assertThat(warm.indices()).containsExactly(40, 41, 42, 43, 44, 45, 50, 51, 52, 53, 54, 55);
        HostBatch mixed = p.apply(a, b, 2, new SplittableRandom(1));
        assertThat(mixed.size()).isEqualTo(N);
        assertThat(mixed.mix().partnerIndices()).containsExactly(50, 51, 52, 53, 54, 55);
        // a batch left short by an unreadable image is joined, not mixed
        HostBatch shorter = new HostBatch(new float[][] {Arrays.copyOf(a.views()[0], 5 * C * H * W),
                Arrays.copyOf(a.views()[1], 5 * C * H * W)}, new int[5], new int[] {60, 61, 62, 63, 64}, C, H, W);
        assertThat(p.apply(a, shorter, 2, new SplittableRandom(1)).size()).isEqualTo(N + 5);
    }

    private DataConfig data(String yaml) throws IOException {
        Path p = dir.resolve("c.yaml");
        Files.writeString(p, "networks: {s: {arch: resnet8}}\ndata: " + yaml + "\n");
        return ConfigLoader.load(p, List.of()).data();
    }

    @Test
    void theConfigNamesAPolicyAndTheOlderCutmixKeyStillMeansCutmix() throws IOException {
        DataConfig old = data("{cutmix: 0.5, cutmix_alpha: 2.0}");
        assertThat(old.mix()).isEqualTo("cutmix");
        assertThat(old.mixProbability()).isEqualTo(0.5);
        assertThat(old.mixAlpha()).isEqualTo(2.0);
        DataConfig compound = data("{mix: compound}");
        assertThat(compound.mixWarmup()).isEqualTo(0.1);
        assertThat(data("{mix: mixup}").mixWarmup()).isZero();
        assertThatThrownBy(() -> data("{mix: mixup, cutmix: 0.5}")).isInstanceOf(UserError.class)
                .hasMessageContaining("data.cutmix");
        assertThatThrownBy(() -> data("{mix: blend}")).isInstanceOf(UserError.class).hasMessageContaining("blend");
        // MKF's compound mixing mixes two batches, as the article does; cutmix and mixup a batch with itself
        assertThat(compound.mixPartner()).isEqualTo("second_batch");
        assertThat(data("{mix: mixup}").mixPartner()).isEqualTo("permutation");
        assertThat(data("{mix: compound, mix_partner: permutation}").mixPartner()).isEqualTo("permutation");
        assertThatThrownBy(() -> data("{mix: mixup, mix_partner: other}")).isInstanceOf(UserError.class)
                .hasMessageContaining("other");
    }

    @Test
    void aStoreOfTeacherOutputsCannotRecordStepsThatMixTwoBatches() throws IOException {
        Path p = dir.resolve("c.yaml");
        Files.writeString(p, "networks: {s: {arch: resnet8}}\ndata: {mix: compound}\n"
                + "train: {teacher_outputs: t.bin}\n");
        assertThatThrownBy(() -> ConfigLoader.load(p, List.of())).isInstanceOf(UserError.class)
                .hasMessageContaining("train.teacher_outputs").hasMessageContaining("second_batch");
        Files.writeString(p, "networks: {s: {arch: resnet8}}\ndata: {mix: compound, mix_partner: permutation}\n"
                + "train: {teacher_outputs: t.bin}\n");
        assertThat(ConfigLoader.load(p, List.of()).train().teacherOutputs()).isEqualTo("t.bin");
    }
}
