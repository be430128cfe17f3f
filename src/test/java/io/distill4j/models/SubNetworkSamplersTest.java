package io.distill4j.models;

import io.distill4j.UserError;
import io.distill4j.methods.mkf.InheritedSampler;
import io.distill4j.models.StochasticDepthSampler.Convention;
import io.distill4j.util.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The sub-network samplers of MKF (inherited sampling), Stochastic Depth and Stimulative Training, on real
 * networks (no initialisation needed: samplers read only the layout). Statistical checks are seeded, so they are
 * deterministic; their tolerance is 4 standard errors (per-value) or the 0.9999 chi-square quantile.
 */
class SubNetworkSamplersTest {
    static final long SEED = 20240611L;
    static final double SE = 4; // tolerance in standard errors

    static Network net(String arch) {
        return ModelRegistry.build(arch, 1, 10);
    }

    static LongFunction<SplittableRandom> rngAt(String stream) {
        return step -> Seeds.rng(SEED, stream, step);
    }

    static void assertUntouched(Network net) {
        assertThat(net.isWhole()).isTrue();
        for (ResidualUnit u : net.residualUnits()) {
            assertThat(u.isActive()).isTrue();
            assertThat(u.scale()).isEqualTo(1f);
        }
    }

    static void assertKeepsNonDroppable(Network net, SubNetwork sub) {
        List<ResidualUnit> units = net.residualUnits();
        assertThat(sub.size()).isEqualTo(units.size());
        for (int i = 0; i < units.size(); i++) {
            if (!units.get(i).isDroppable()) {
                assertThat(sub.isActive(i)).as("non-droppable unit %d of %s", i, net.arch()).isTrue();
                assertThat(sub.scale(i)).as("scale of non-droppable unit %d", i).isEqualTo(1f);
            }
        }
    }

    static void assertFrequency(long hits, long n, double p, String what) {
        double se = Math.sqrt(p * (1 - p) / n);
        assertThat((double) hits / n).as(what + " (expected %.4f)", p).isCloseTo(p, within(SE * se + 1e-12));
    }

    /** Wilson-Hilferty approximation of the 0.9999 quantile of chi-square with df degrees of freedom. */
    static double chiSquareCritical(int df) {
        double z = 3.719;
        double a = 2.0 / (9 * df);
        return df * Math.pow(1 - a + z * Math.sqrt(a), 3);
    }

    static double chiSquare(long[] counts, double expected) {
        double c = 0;
        for (long k : counts) {
            c += (k - expected) * (k - expected) / expected;
        }
        return c;
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet20", "resnet56", "wrn-16-2", "mobilenetv2"})
    void noSamplerDropsAShapeChangingUnitOrTouchesTheNetwork(String arch) {
        Network net = net(arch);
        InheritedSampler mkf = new InheritedSampler(net, 4, 0.9, 1);
        StochasticDepthSampler sdInverted = new StochasticDepthSampler(net, 0.2, Convention.INVERTED);
        StochasticDepthSampler sdScaled = new StochasticDepthSampler(net, 0.2, Convention.SCALE_AT_INFERENCE);
        StimulativeSampler st = new StimulativeSampler(net);
        StimulativeSampler st0 = new StimulativeSampler(net, 0);
        SubNetwork prev = null;
        for (long step = 0; step < 2000; step++) {
            prev = mkf.next(step, prev, Seeds.rng(SEED, "mkf", step));
            assertKeepsNonDroppable(net, prev);
            for (SubNetworkSampler s : List.of(sdInverted, sdScaled, st, st0)) {
                assertKeepsNonDroppable(net, s.sample(Seeds.rng(SEED, "other", step)));
            }
        }
        assertKeepsNonDroppable(net, sdScaled.inference());
        assertKeepsNonDroppable(net, sdInverted.inference());
        assertUntouched(net);
    }

    @Test
    void theLayoutsAreWhatTheSamplersAssume() {
        SubNetworkSampler.Layout r20 = SubNetworkSampler.Layout.of(net("resnet20"), "test");
        assertThat(r20.droppable()).containsExactly(true, true, true, false, true, true, false, true, true);
        assertThat(r20.stage()).containsExactly(0, 0, 0, 1, 1, 1, 2, 2, 2);
        SubNetworkSampler.Layout wrn = SubNetworkSampler.Layout.of(net("wrn-16-2"), "test");
        assertThat(wrn.droppable()).containsExactly(false, true, false, true, false, true);
        // MobileNetV2: only stride-1 same-width blocks are residual units, every one droppable
        SubNetworkSampler.Layout mb = SubNetworkSampler.Layout.of(net("mobilenetv2"), "test");
        assertThat(mb.droppable()).containsOnly(true).hasSize(10);
        assertThat(mb.stage()).containsExactly(1, 2, 2, 3, 3, 3, 4, 4, 5, 5);
    }

    // ---- MKF: inherited sampling --------------------------------------------------------------------------

    @Test
    void inheritedSamplingCyclesThroughTheGroupsAndNests() {
        Network net = net("resnet56");
        for (int groups : new int[] {3, 4}) {
            InheritedSampler mkf = new InheritedSampler(net, groups, 0.5, 3);
            assertThat(mkf.groups()).isEqualTo(groups);
            SubNetwork prev = null;
            int shrank = 0;
            for (long step = 0; step < 600; step++) {
                int group = mkf.group(step);
                assertThat(group).isEqualTo((int) (step % groups) + 1);
                assertThat(mkf.startsCycle(step)).isEqualTo(group == 1);
                SubNetwork sub = mkf.next(step, prev, Seeds.rng(SEED, "mkf", step));
                if (group == 1) {
                    assertThat(sub).isEqualTo(SubNetwork.whole(net.residualUnits().size()));
                } else {
                    for (int i = 0; i < sub.size(); i++) {
                        if (sub.isActive(i)) {
                            assertThat(prev.isActive(i)).as("group %d is a subset of group %d", group, group - 1)
                                    .isTrue();
                        }
                        assertThat(sub.scale(i)).isEqualTo(1f);
                    }
                    shrank += count(sub) < count(prev) ? 1 : 0;
                }
                // the stateless form replays the cycle and gives the same mask
                assertThat(mkf.at(step, rngAt("mkf"))).isEqualTo(sub);
                prev = sub;
            }
            assertThat(shrank).isPositive();
        }
        assertUntouched(net);
    }

    static int count(SubNetwork s) {
        int n = 0;
        for (int i = 0; i < s.size(); i++) {
            n += s.isActive(i) ? 1 : 0;
        }
        return n;
    }

    @Test
    void dropProbabilitiesFollowTheExponentialRule() {
        Network net = net("resnet20");
        InheritedSampler mkf = new InheritedSampler(net);
        assertThat(mkf.groups()).isEqualTo(3);
        assertThat(mkf.qMax()).isEqualTo(0.5);
        assertThat(mkf.k()).isEqualTo(3);
        for (int i = 0; i < 9; i++) {
            // exact: the sampler's own double expression, q_max * exp(k * (l / L - 1)), in the same order
            double expected = net.residualUnits().get(i).isDroppable() ? 0.5 * Math.exp(3 * ((i + 1) / 9.0 - 1)) : 0;
            assertThat(mkf.dropProbability(i)).isEqualTo(expected);
        }
        assertThat(mkf.dropProbability(8)).isEqualTo(0.5); // the deepest unit drops with q_max: exp(0) = 1
        assertThat(mkf.dropProbability(3)).isZero(); // a stage transition never drops
    }

    /** Over many cycles: group 2 drops unit l with q_l, group 3 has it off with 1 - (1 - q_l)^2. */
    @Test
    void inheritedDropFrequenciesMatchQ() {
        Network net = net("resnet56");
        InheritedSampler mkf = new InheritedSampler(net);
        int units = net.residualUnits().size();
        int cycles = 20_000;
        long[] off2 = new long[units];
        long[] off3 = new long[units];
        SubNetwork prev = null;
        for (long step = 0; step < 3L * cycles; step++) {
            prev = mkf.next(step, prev, Seeds.rng(SEED, "mkf-freq", step));
            int g = mkf.group(step);
            for (int i = 0; i < units; i++) {
                if (!prev.isActive(i) && g == 2) {
                    off2[i]++;
                } else if (!prev.isActive(i) && g == 3) {
                    off3[i]++;
                }
            }
        }
        for (int i = 0; i < units; i++) {
            double q = 0.5 * Math.exp(3 * ((double) (i + 1) / units - 1)); // q_l, l = i + 1, L = units
            if (!net.residualUnits().get(i).isDroppable()) {
                assertThat(off2[i] + off3[i]).isZero();
                continue;
            }
            assertFrequency(off2[i], cycles, q, "group 2, unit " + i);
            assertFrequency(off3[i], cycles, 1 - (1 - q) * (1 - q), "group 3, unit " + i);
        }
        assertUntouched(net);
    }

    @Test
    void inheritedEdgeCases() {
        Network net = net("resnet20");
        int n = net.residualUnits().size();
        // q_max = 1, k = 0: group 2 keeps only the shape-changing units
        InheritedSampler all = new InheritedSampler(net, 2, 1, 0);
        SubNetwork g2 = all.next(1, all.next(0, null, null), new SplittableRandom(1));
        for (int i = 0; i < n; i++) {
            assertThat(g2.isActive(i)).isEqualTo(!net.residualUnits().get(i).isDroppable());
        }
        // one group: always the whole network
        InheritedSampler one = new InheritedSampler(net, 1, 0.5, 3);
        for (long s = 0; s < 5; s++) {
            assertThat(one.group(s)).isEqualTo(1);
            assertThat(one.at(s, rngAt("x"))).isEqualTo(SubNetwork.whole(n));
        }
        InheritedSampler mkf = new InheritedSampler(net);
        assertThatThrownBy(() -> mkf.next(1, null, new SplittableRandom(1))).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("group 2");
        assertThatThrownBy(() -> mkf.phi(SubNetwork.whole(n + 1), new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> mkf.phi(SubNetwork.dropping(n, List.of(3)), new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unit 3");
        assertThatThrownBy(() -> mkf.group(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InheritedSampler(net, 0, 0.5, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InheritedSampler(net, 3, 1.5, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InheritedSampler(net, 3, 0.5, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InheritedSampler(net, 3, Double.NaN, 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertUntouched(net);
    }

    // ---- Stochastic Depth --------------------------------------------------------------------------------

    @Test
    void survivalProbabilitiesDecayLinearly() {
        Network net = net("resnet20");
        StochasticDepthSampler sd = new StochasticDepthSampler(net);
        assertThat(sd.lastSurvival()).isEqualTo(0.5);
        assertThat(sd.convention()).isEqualTo(Convention.INVERTED);
        for (int i = 0; i < 9; i++) {
            // exact: the sampler's own double expression, 1 - l / L * (1 - p_L), in the same order
            double expected = net.residualUnits().get(i).isDroppable() ? 1 - (i + 1) / 9.0 * 0.5 : 1;
            assertThat(sd.survivalProbability(i)).isEqualTo(expected);
        }
        assertThat(sd.survivalProbability(8)).isEqualTo(0.5);
        // exact: fl(1 / 54) * 0.5 = fl(0.5 / 54) (halving commutes with rounding)
        assertThat(StochasticDepthSampler.survivalProbability(0 + 1, 54, 0.5)).isEqualTo(1 - 0.5 / 54);
    }

    @Test
    void stochasticDepthSurvivalMatchesAndScalesFollowTheConvention() {
        Network net = net("resnet56");
        int units = net.residualUnits().size();
        for (Convention c : Convention.values()) {
            StochasticDepthSampler sd = new StochasticDepthSampler(net, 0.5, c);
            int draws = 20_000;
            long[] alive = new long[units];
            for (int d = 0; d < draws; d++) {
                SubNetwork sub = sd.sample(Seeds.rng(SEED, "sd-" + c, d));
                for (int i = 0; i < units; i++) {
                    float p = (float) sd.survivalProbability(i);
                    if (sub.isActive(i)) {
                        alive[i]++;
                        float expected = c == Convention.INVERTED ? (float) (1 / sd.survivalProbability(i)) : 1f;
                        assertThat(sub.scale(i)).isEqualTo(expected);
                    } else {
                        assertThat(p).isLessThan(1f);
                    }
                }
            }
            for (int i = 0; i < units; i++) {
                if (net.residualUnits().get(i).isDroppable()) {
                    assertFrequency(alive[i], draws, sd.survivalProbability(i), c + ", unit " + i);
                } else {
                    assertThat(alive[i]).isEqualTo(draws);
                }
            }
            SubNetwork inference = sd.inference();
            for (int i = 0; i < units; i++) {
                assertThat(inference.isActive(i)).isTrue();
                float expected = c == Convention.INVERTED ? 1f : (float) sd.survivalProbability(i);
                assertThat(inference.scale(i)).isEqualTo(expected);
            }
            if (c == Convention.INVERTED) {
                assertThat(inference).isEqualTo(SubNetwork.whole(units));
            } else {
                assertThat(inference.scale(units - 1)).isEqualTo(0.5f);
                assertThat(inference.scale(9)).isEqualTo(1f); // a stage transition runs at scale 1
            }
        }
        assertUntouched(net);
    }

    @Test
    void samplersAreReproducibleFromTheGenerator() {
        Network net = net("resnet56");
        List<SubNetworkSampler> samplers = List.of(new StochasticDepthSampler(net), new StimulativeSampler(net));
        for (SubNetworkSampler s : samplers) {
            List<SubNetwork> a = new ArrayList<>();
            List<SubNetwork> b = new ArrayList<>();
            for (long step = 0; step < 50; step++) {
                a.add(s.sample(Seeds.rng(SEED, "r", step)));
                b.add(s.sample(Seeds.rng(SEED, "r", step)));
            }
            assertThat(a).isEqualTo(b);
            assertThat(a.stream().distinct().count()).isGreaterThan(40);
        }
    }

    @Test
    void stochasticDepthRejectsBadSettings() {
        Network net = net("resnet20");
        assertThatThrownBy(() -> new StochasticDepthSampler(net, 0, Convention.INVERTED))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StochasticDepthSampler(net, 1.1, Convention.INVERTED))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StochasticDepthSampler(net, 0.5, null))
                .isInstanceOf(IllegalArgumentException.class);
        // p_L = 1: no unit ever drops
        StochasticDepthSampler none = new StochasticDepthSampler(net, 1, Convention.INVERTED);
        assertThat(none.sample(new SplittableRandom(3))).isEqualTo(SubNetwork.whole(9));
    }

    // ---- Stimulative Training ----------------------------------------------------------------------------

    /** Each stage keeps a prefix of d_i >= 1 blocks, d_i uniform over 1..n_i, independently across stages. */
    @ParameterizedTest
    @ValueSource(strings = {"resnet56", "wrn-16-2", "resnet20"})
    void stimulativeKeepsAUniformPrefixOfEveryStage(String arch) {
        Network net = net(arch);
        StimulativeSampler st = new StimulativeSampler(net);
        assertThat(st.stages()).isEqualTo(3);
        int draws = 18_000;
        long[][] counts = new long[st.stages()][];
        int n0 = st.stageUnits(0).length;
        int n1 = st.stageUnits(1).length;
        long[] joint = new long[n0 * n1];
        for (int s = 0; s < st.stages(); s++) {
            assertThat(st.minDepth(s)).isEqualTo(1);
            counts[s] = new long[st.stageUnits(s).length + 1];
        }
        for (int d = 0; d < draws; d++) {
            SubNetwork sub = st.sample(Seeds.rng(SEED, "st-" + arch, d));
            int[] depths = st.depths(sub); // throws unless every stage keeps a prefix
            for (int s = 0; s < depths.length; s++) {
                assertThat(depths[s]).isBetween(1, st.stageUnits(s).length);
                counts[s][depths[s]]++;
            }
            joint[(depths[0] - 1) * n1 + depths[1] - 1]++;
            for (int i = 0; i < sub.size(); i++) {
                assertThat(sub.scale(i)).isEqualTo(1f);
            }
            assertThat(st.keeping(depths)).isEqualTo(sub);
        }
        for (int s = 0; s < st.stages(); s++) {
            int n = st.stageUnits(s).length;
            assertThat(counts[s][0]).isZero();
            long[] observed = Arrays.copyOfRange(counts[s], 1, n + 1);
            for (int d = 1; d <= n; d++) {
                assertFrequency(counts[s][d], draws, 1.0 / n, arch + " stage " + s + " depth " + d);
            }
            assertThat(chiSquare(observed, (double) draws / n)).isLessThan(chiSquareCritical(n - 1));
        }
        assertThat(chiSquare(joint, (double) draws / joint.length)).isLessThan(chiSquareCritical(joint.length - 1));
        assertUntouched(net);
    }

    /** MobileNetV2: stages 1..5 hold 1, 2, 3, 2, 2 residual units; minKept 0 lets a stage's units all go. */
    @Test
    void stimulativeOnMobileNetWithAndWithoutAMinimum() {
        Network net = net("mobilenetv2");
        for (int minKept : new int[] {1, 0}) {
            StimulativeSampler st = new StimulativeSampler(net, minKept);
            assertThat(st.stages()).isEqualTo(5);
            int draws = 12_000;
            long[][] counts = new long[5][];
            for (int s = 0; s < 5; s++) {
                assertThat(st.stageId(s)).isEqualTo(s + 1);
                assertThat(st.minDepth(s)).isEqualTo(minKept);
                counts[s] = new long[st.stageUnits(s).length + 1];
            }
            for (int d = 0; d < draws; d++) {
                int[] depths = st.depths(st.sample(Seeds.rng(SEED, "st-mb" + minKept, d)));
                for (int s = 0; s < 5; s++) {
                    counts[s][depths[s]]++;
                }
            }
            for (int s = 0; s < 5; s++) {
                int n = st.stageUnits(s).length;
                int values = n - minKept + 1;
                if (minKept == 1) {
                    assertThat(counts[s][0]).isZero();
                }
                for (int d = minKept; d <= n; d++) {
                    assertFrequency(counts[s][d], draws, 1.0 / values, "minKept " + minKept + " stage " + s);
                }
            }
        }
        assertUntouched(net);
    }

    @Test
    void stimulativeRejectsWhatIsNotAPrefix() {
        Network net = net("resnet20");
        StimulativeSampler st = new StimulativeSampler(net);
        assertThat(st.depths(SubNetwork.whole(9))).containsExactly(3, 3, 3);
        assertThatThrownBy(() -> st.depths(SubNetwork.dropping(9, List.of(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix");
        assertThatThrownBy(() -> st.keeping(new int[] {0, 3, 3})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> st.keeping(new int[] {4, 3, 3})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StimulativeSampler(net, 2)).isInstanceOf(IllegalArgumentException.class);
        // a shape-changing unit deeper in a stage raises the lower bound so that the kept blocks stay a prefix
        SubNetworkSampler.Layout odd = new SubNetworkSampler.Layout(
                new boolean[] {true, false, true, true}, new int[] {0, 0, 0, 0});
        StimulativeSampler st2 = new StimulativeSampler(odd, 1);
        assertThat(st2.minDepth(0)).isEqualTo(2);
        for (long s = 0; s < 200; s++) {
            assertThat(st2.depths(st2.sample(Seeds.rng(SEED, "odd", s)))[0]).isBetween(2, 4);
        }
    }

    @Test
    void aNetworkWithoutDroppableUnitsIsAUserError() {
        Network vgg = net("vgg8");
        assertThatThrownBy(() -> new InheritedSampler(vgg)).isInstanceOf(UserError.class).hasMessageContaining("vgg8");
        assertThatThrownBy(() -> new StochasticDepthSampler(vgg)).isInstanceOf(UserError.class);
        assertThatThrownBy(() -> new StimulativeSampler(vgg)).isInstanceOf(UserError.class)
                .hasMessageContaining("Stimulative Training");
    }
}
