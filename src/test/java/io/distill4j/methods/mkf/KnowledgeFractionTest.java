package io.distill4j.methods.mkf;

import io.distill4j.FloatBounds;
import io.distill4j.methods.mkf.KnowledgeFraction.BatchFraction;
import io.distill4j.methods.mkf.KnowledgeFraction.Fraction;
import io.distill4j.methods.mkf.KnowledgeFraction.Mode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The knowledge-fraction solvers of MKF (docs/methods.md section 6; the article's OPT1 and OPT2). Every random case
 * comes from a seeded {@link Random}. The optimality of {@code exact} is checked against solvers written here
 * that do not use the per-class derivation: an enumeration of the active sets of the full QP in the 2C
 * variables {@code (p_a, p_b)}, and brute force on fine grids.
 *
 * <p>Tolerances: everything here is Java double arithmetic (no native kernels: the same results on every machine),
 * so they are about the algorithms, in units of u64 = 2^-53 = 1.1e-16. The hand-computed cases (values of at most
 * 2 through a handful of operations) agree within 1e-15, 9 u64 of values up to 1. A projected vector of C <= 1000
 * entries sums to 1 within C u64 = 1.1e-13 plus the breakpoint search's O(C) further roundings: SIMPLEX_TOL 1e-9
 * leaves a factor 1e4 over that; sums of solved vectors of C <= 200: 1e-12. The mixing equality then holds within
 * that divided by the smaller weight (down to 1e-6 here, or 0.03): EQUALITY_TOL 1e-6. The comparisons with the
 * reference solvers are explained where they are made (vectorTolerance). Floats appear only at the batch API:
 * there a cast per entry (u32 = 2^-24 relative) and a float sum of C (gamma(C)) are added.
 */
class KnowledgeFractionTest {
    private static final double SIMPLEX_TOL = 1e-9;
    private static final double EQUALITY_TOL = 1e-6;
    private static final double[] SPECIAL_LAMBDAS = {0.5, 1e-6, 1 - 1e-6};

    // ------------------------------------------------------------------------------------ exact: feasibility

    @Test
    void exactIsFeasibleOnRandomCases() {
        Random rng = new Random(11);
        int checked = 0;
        for (int c : new int[] {2, 3, 4, 5, 10, 100, 1000}) {
            int cases = c >= 1000 ? 60 : c >= 100 ? 300 : 1500;
            for (int t = 0; t < cases; t++) {
                Case k = randomCase(rng, c, randomLambda(rng));
                Fraction f = KnowledgeFraction.exact(k.p, k.kA, k.kB, k.lam);
                assertFeasible(k, f);
                assertThat(f.updateA()).isTrue();
                assertThat(f.updateB()).isTrue();
                assertThat(f.equalityResidual()).isLessThan(1e-12);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(5000);
    }

    // ------------------------------------------------------------------------------------- exact: optimality

    @Test
    void exactMatchesAnIndependentActiveSetSolveOfTheFullQp() {
        Random rng = new Random(12);
        for (int c = 2; c <= 4; c++) {
            for (int t = 0; t < 300; t++) {
                double lam = t % 10 == 0 ? 0.5 : 0.01 + 0.98 * rng.nextDouble();
                Case k = randomCase(rng, c, lam);
                Fraction f = KnowledgeFraction.exact(k.p, k.kA, k.kB, k.lam);
                double[][] ref = referenceOpt1(k.p, k.kA, k.kB, k.lam);
                double refObj = KnowledgeFraction.fractionLoss(lam, ref[0], ref[1], k.kA, k.kB);
                double obj = KnowledgeFraction.fractionLoss(lam, f.pA(), f.pB(), k.kA, k.kB);
                assertThat(obj).as("C=%d case %d", c, t).isCloseTo(refObj, within(1e-9));
                assertClose(f.pA(), ref[0], vectorTolerance(lam));
                assertClose(f.pB(), ref[1], vectorTolerance(1 - lam));
            }
        }
    }

    /**
     * How closely an objective-based reference pins a side of weight w: the objective is
     * w / (1 - w) ||p_a - v||^2 + const in that side (see KnowledgeFraction), and the reference resolves it to
     * about 1e-12, so the side is pinned to about sqrt(1e-12 (1 - w) / w): 1e-6 for w = 0.5, 1e-3 for w = 1e-6.
     */
    static double vectorTolerance(double w) {
        return Math.max(1e-6, Math.sqrt(1e-12 * (1 - w) / w));
    }

    @Test
    void noFeasibleGridPointBeatsExact() {
        Random rng = new Random(13);
        // C = 2: p_a = (t, 1 - t), t on a grid of step 5e-6; p_b follows from the equality
        for (int n = 0; n < 60; n++) {
            double lam = 0.05 + 0.9 * rng.nextDouble();
            Case k = randomCase(rng, 2, lam);
            double exactObj = objective(k, KnowledgeFraction.exact(k.p, k.kA, k.kB, lam));
            double best = Double.POSITIVE_INFINITY;
            int steps = 200_000;
            for (int i = 0; i <= steps; i++) {
                double t = (double) i / steps;
                best = Math.min(best, gridObjective(k, new double[] {t, 1 - t}));
            }
            assertThat(best).as("a feasible grid point beats exact, case %d", n).isGreaterThanOrEqualTo(exactObj - 1e-12);
            assertThat(best).as("grid near the optimum, case %d", n).isLessThan(exactObj + 1e-3);
        }
        // C = 3: p_a = (s, t, 1 - s - t) on a grid of step 1/800
        for (int n = 0; n < 30; n++) {
            double lam = 0.05 + 0.9 * rng.nextDouble();
            Case k = randomCase(rng, 3, lam);
            double exactObj = objective(k, KnowledgeFraction.exact(k.p, k.kA, k.kB, lam));
            double best = Double.POSITIVE_INFINITY;
            int steps = 800;
            for (int i = 0; i <= steps; i++) {
                for (int j = 0; i + j <= steps; j++) {
                    double s = (double) i / steps;
                    double t = (double) j / steps;
                    best = Math.min(best, gridObjective(k, new double[] {s, t, Math.max(0, 1 - s - t)}));
                }
            }
            assertThat(best).as("a feasible grid point beats exact, case %d", n).isGreaterThanOrEqualTo(exactObj - 1e-12);
            assertThat(best).as("grid near the optimum, case %d", n).isLessThan(exactObj + 2e-2);
        }
    }

    @Test
    void exactAtDegenerateLambdas() {
        Random rng = new Random(14);
        for (double lam : SPECIAL_LAMBDAS) {
            for (int c : new int[] {2, 3, 4, 10, 100}) {
                for (int t = 0; t < 200; t++) {
                    Case k = randomCase(rng, c, lam);
                    Fraction f = KnowledgeFraction.exact(k.p, k.kA, k.kB, lam);
                    assertFeasible(k, f);
                    // the mirror problem (a and b swapped, lam -> 1 - lam) has the mirrored solution; for
                    // lam = 1e-6 one is solved through p_a, the other through p_b
                    Fraction m = KnowledgeFraction.exact(k.p, k.kB, k.kA, 1 - lam);
                    assertClose(m.pA(), f.pB(), 1e-9);
                    assertClose(m.pB(), f.pA(), 1e-9);
                    if (c <= 3) {
                        double[][] ref = referenceOpt1(k.p, k.kA, k.kB, lam);
                        double refObj = KnowledgeFraction.fractionLoss(lam, ref[0], ref[1], k.kA, k.kB);
                        assertThat(objective(k, f)).as("lam %s C=%d case %d", lam, c, t)
                                .isCloseTo(refObj, within(1e-9));
                        assertClose(f.pA(), ref[0], vectorTolerance(lam));
                        assertClose(f.pB(), ref[1], vectorTolerance(1 - lam));
                    }
                }
            }
        }
    }

    @Test
    void lambdaZeroOrOnePinsOneSideAndLeavesTheOther() {
        double[] p = {0.2, 0.5, 0.3};
        double[] kA = {0.6, 0.2, 0.2};
        double[] kB = {0.1, 0.1, 0.8};
        for (Mode mode : Mode.values()) {
            Fraction one = KnowledgeFraction.fraction(mode, p, kA, kB, 1.0, mode.defaultFloor());
            assertThat(one.updateA()).isTrue();
            assertThat(one.updateB()).isFalse();
            assertClose(one.pA(), p, 1e-15);
            assertClose(one.pB(), kB, 0);
            assertThat(one.equalityResidual()).isLessThan(1e-15);
            Fraction zero = KnowledgeFraction.fraction(mode, p, kA, kB, 0.0, mode.defaultFloor());
            assertThat(zero.updateA()).isFalse();
            assertThat(zero.updateB()).isTrue();
            assertClose(zero.pA(), kA, 0);
            assertClose(zero.pB(), p, 1e-15);
        }
    }

    // ---------------------------------------------------------------------------------- special mixed outputs

    @Test
    void oneHotMixedOutputForcesBothPartsOneHot() {
        Random rng = new Random(15);
        for (int c : new int[] {2, 3, 10, 100}) {
            for (double lam : new double[] {0.5, 1e-6, 1 - 1e-6, 0.3, 0.8}) {
                for (int t = 0; t < 20; t++) {
                    int j = rng.nextInt(c);
                    double[] p = oneHot(c, j);
                    double[] kA = randomDistribution(rng, c);
                    double[] kB = randomDistribution(rng, c);
                    // lam p_a + (1 - lam) p_b = e_j with both on the simplex is only p_a = p_b = e_j
                    Fraction e = KnowledgeFraction.exact(p, kA, kB, lam);
                    assertClose(e.pA(), p, 1e-12);
                    assertClose(e.pB(), p, 1e-12);
                    Fraction l = KnowledgeFraction.linear(p, kA, kB, lam);
                    Case k = new Case(p, kA, kB, lam, null, null);
                    if (l.updateA()) {
                        assertOnSimplex(l.pA());
                    }
                    if (l.updateB()) {
                        assertOnSimplex(l.pB());
                    }
                    Fraction n = KnowledgeFraction.none(p, kA, kB, lam);
                    assertClose(lam >= 0.5 ? n.pA() : n.pB(), p, 1e-15);
                    if (l.updateA() && l.updateB()) {
                        assertThat(objective(k, e)).isLessThanOrEqualTo(objective(k, l) + 1e-12);
                    }
                }
            }
        }
    }

    @Test
    void uniformMixedOutputHandCases() {
        double[] u = {0.5, 0.5};
        // the stored knowledge explains p~ (r = 0): every solver keeps it
        double[] e0 = {1, 0};
        double[] e1 = {0, 1};
        Fraction f = KnowledgeFraction.exact(u, e0, e1, 0.5);
        assertClose(f.pA(), e0, 1e-15);
        assertClose(f.pB(), e1, 1e-15);
        Fraction l = KnowledgeFraction.linear(u, e0, e1, 0.5);
        assertClose(l.pA(), e0, 1e-15);
        assertClose(l.pB(), e1, 1e-15);
        assertThat(l.equalityResidual()).isZero();
        // both images "known" as class 0, the mix says half-half: exact splits evenly (r = (-0.5, 0.5))
        f = KnowledgeFraction.exact(u, e0, e0, 0.5);
        assertClose(f.pA(), u, 1e-15);
        assertClose(f.pB(), u, 1e-15);
        assertThat(KnowledgeFraction.fractionLoss(0.5, f.pA(), f.pB(), e0, e0)).isCloseTo(0.5, within(1e-15));
        // OPT2: p_a = (u - 0.5 e0) / 0.5 = (0, 1), the same for p_b; the pair violates the equality by 0.5
        l = KnowledgeFraction.linear(u, e0, e0, 0.5);
        assertClose(l.pA(), e1, 1e-15);
        assertClose(l.pB(), e1, 1e-15);
        assertThat(l.equalityResidual()).isCloseTo(0.5, within(1e-15));
        assertThat(KnowledgeFraction.fractionLoss(0.5, l.pA(), l.pB(), e0, e0)).isCloseTo(2.0, within(1e-15));
        // uniform over 4 classes, uniform knowledge: a fixed point, at every lambda
        double[] u4 = {0.25, 0.25, 0.25, 0.25};
        for (double lam : new double[] {0.5, 1e-6, 1 - 1e-6, 0.2}) {
            for (Mode mode : Mode.values()) {
                Fraction g = KnowledgeFraction.fraction(mode, u4, u4, u4, lam, mode.defaultFloor());
                assertClose(g.pA(), u4, 1e-12);
                assertClose(g.pB(), u4, 1e-12);
            }
        }
    }

    @Test
    void knowledgeEqualToTheMixedOutputIsKept() {
        Random rng = new Random(16);
        for (int c : new int[] {2, 3, 10, 100}) {
            for (double lam : new double[] {0.5, 1e-6, 1 - 1e-6, 0.05, 0.37, 0.9}) {
                for (int t = 0; t < 10; t++) {
                    double[] p = randomDistribution(rng, c);
                    for (Mode mode : Mode.values()) {
                        Fraction f = KnowledgeFraction.fraction(mode, p, p, p, lam, mode.defaultFloor());
                        assertClose(f.pA(), p, 1e-9);
                        assertClose(f.pB(), p, 1e-9);
                        assertThat(f.equalityResidual()).as("%s", mode).isLessThan(1e-12);
                    }
                }
            }
        }
    }

    @Test
    void exactEqualsTheEqualityConstrainedLeastSquaresWhenThatIsNonNegative() {
        Random rng = new Random(17);
        int interior = 0;
        for (int t = 0; t < 2000; t++) {
            int c = 2 + rng.nextInt(8);
            double lam = 0.05 + 0.9 * rng.nextDouble();
            double[] tA = randomDistribution(rng, c);
            double[] tB = randomDistribution(rng, c);
            double[] p = mix(lam, tA, tB);
            // knowledge near the truth, so that K + r is often inside the simplex
            double[] kA = blend(0.9, tA, randomDistribution(rng, c));
            double[] kB = blend(0.9, tB, randomDistribution(rng, c));
            double[][] ls = KnowledgeFraction.equalityLeastSquares(p, kA, kB, lam);
            assertThat(Arrays.stream(ls[0]).sum()).isCloseTo(1, within(1e-12));
            assertThat(Arrays.stream(ls[1]).sum()).isCloseTo(1, within(1e-12));
            assertThat(residual(p, ls[0], ls[1], lam)).isLessThan(1e-12);
            if (Arrays.stream(ls[0]).min().getAsDouble() >= 0 && Arrays.stream(ls[1]).min().getAsDouble() >= 0) {
                Fraction f = KnowledgeFraction.exact(p, kA, kB, lam);
                assertClose(f.pA(), ls[0], 1e-12);
                assertClose(f.pB(), ls[1], 1e-12);
                interior++;
            }
        }
        assertThat(interior).isGreaterThan(200);
    }

    // ------------------------------------------------------------------------------------- exact vs linear

    /**
     * OPT1 against OPT2 on the QP's own objective. (a) Where linear's pair satisfies the mixing equality (it
     * does when the stored knowledge explains p~, r = 0), it is a feasible point, so exact's objective is not
     * larger. (b) In general linear's pair is not feasible, but each of its sides, completed by the equality
     * (p_b' = (p~ - lam p_a) / (1 - lam)), is: p_a = P(v_a) <= max(v_a, 0) <= p~ / lam entrywise because the
     * simplex projection of a vector that sums to 1 subtracts a theta >= 0 and K_b >= 0; so p_b' >= 0, and
     * it sums to 1. Exact's objective is not larger than either completion's. (c) Observed, not proven here:
     * exact's objective is also not larger than that of linear's (infeasible) pair.
     */
    @Test
    void exactIsNeverWorseThanLinear() {
        Random rng = new Random(18);
        int feasibleLinear = 0;
        for (int t = 0; t < 3000; t++) {
            int c = 2 + rng.nextInt(t % 3 == 0 ? 100 : 6);
            double lam = t % 7 == 0 ? SPECIAL_LAMBDAS[t % 3] : 0.05 + 0.9 * rng.nextDouble();
            Case k = randomCase(rng, c, lam);
            Fraction e = KnowledgeFraction.exact(k.p, k.kA, k.kB, lam);
            Fraction l = KnowledgeFraction.linear(k.p, k.kA, k.kB, lam);
            double exactObj = objective(k, e);
            if (l.updateA() && l.updateB() && l.equalityResidual() < 1e-12) {
                assertThat(exactObj).isLessThanOrEqualTo(objective(k, l) + 1e-12);
                feasibleLinear++;
            }
            if (l.updateA()) {
                double[] completed = complete(k.p, l.pA(), lam, true);
                assertThat(Arrays.stream(completed).min().getAsDouble()).isGreaterThanOrEqualTo(-1e-15 / (1 - lam));
                assertThat(exactObj).isLessThanOrEqualTo(
                        KnowledgeFraction.fractionLoss(lam, l.pA(), completed, k.kA, k.kB) + 1e-12);
            }
            if (l.updateB()) {
                double[] completed = complete(k.p, l.pB(), lam, false);
                // the completion divides by lam: rounding grows by 1 / lam
                assertThat(Arrays.stream(completed).min().getAsDouble()).isGreaterThanOrEqualTo(-1e-15 / lam);
                assertThat(exactObj).isLessThanOrEqualTo(
                        KnowledgeFraction.fractionLoss(lam, completed, l.pB(), k.kA, k.kB) + 1e-12);
            }
            if (l.updateA() && l.updateB()) {
                assertThat(exactObj).as("case %d", t).isLessThanOrEqualTo(objective(k, l) + 1e-12);
            }
        }
        // (a) on constructed cases: p~ = lam K_a + (1 - lam) K_b
        for (int t = 0; t < 300; t++) {
            int c = 2 + rng.nextInt(20);
            double lam = 0.05 + 0.9 * rng.nextDouble();
            double[] kA = randomDistribution(rng, c);
            double[] kB = randomDistribution(rng, c);
            double[] p = mix(lam, kA, kB);
            Fraction l = KnowledgeFraction.linear(p, kA, kB, lam);
            Fraction e = KnowledgeFraction.exact(p, kA, kB, lam);
            assertThat(l.equalityResidual()).isLessThan(1e-12);
            Case k = new Case(p, kA, kB, lam, null, null);
            assertThat(objective(k, e)).isLessThanOrEqualTo(objective(k, l) + 1e-12);
            feasibleLinear++;
        }
        assertThat(feasibleLinear).isGreaterThanOrEqualTo(300);
    }

    /**
     * The fraction loss against the images' true outputs (docs/methods.md section 6, the article's Fig. 5), with
     * p~ = lam t_a + (1 - lam) t_b. The truth is a feasible point of OPT1 and exact is the projection of
     * (K_a, K_b) onto the feasible set in the objective's norm, so its loss is at most the stored
     * knowledge's, by the objective itself (Pythagoras for projections onto convex sets). On average over
     * seeded cases it is also below linear's (the article's finding, Table 5 and Fig. 5; not per case).
     */
    @Test
    void exactDoesNotIncreaseTheTrueFractionLoss() {
        Random rng = new Random(19);
        for (int c : new int[] {3, 10, 100}) {
            double sumExact = 0;
            double sumLinear = 0;
            int n = 500;
            for (int t = 0; t < n; t++) {
                double lam = 0.05 + 0.9 * rng.nextDouble();
                double[] tA = randomDistribution(rng, c);
                double[] tB = randomDistribution(rng, c);
                double[] p = mix(lam, tA, tB);
                double noise = rng.nextDouble();
                double[] kA = blend(1 - noise, tA, randomDistribution(rng, c));
                double[] kB = blend(1 - noise, tB, randomDistribution(rng, c));
                Fraction e = KnowledgeFraction.exact(p, kA, kB, lam);
                Fraction l = KnowledgeFraction.linear(p, kA, kB, lam);
                double lossExact = KnowledgeFraction.fractionLoss(lam, e.pA(), e.pB(), tA, tB);
                double lossKnowledge = KnowledgeFraction.fractionLoss(lam, kA, kB, tA, tB);
                double obj = KnowledgeFraction.fractionLoss(lam, e.pA(), e.pB(), kA, kB);
                assertThat(lossExact).isLessThanOrEqualTo(lossKnowledge - obj + 1e-12);
                sumExact += lossExact;
                sumLinear += KnowledgeFraction.fractionLoss(lam, l.pA(), l.pB(), tA, tB);
            }
            assertThat(sumExact / n).as("C=%d", c).isLessThan(0.8 * sumLinear / n);
        }
    }

    // ----------------------------------------------------------------------------------------------- linear

    @Test
    void linearFollowsTheArticlesFormula() {
        double lam = 0.6;
        double[] kA = {0.5, 0.3, 0.2};
        double[] kB = {0.2, 0.2, 0.6};
        double[] p = {0.4, 0.3, 0.3};
        // (p - 0.4 kB) / 0.6 = (0.32, 0.22, 0.06) / 0.6 and (p - 0.6 kA) / 0.4 = (0.1, 0.12, 0.18) / 0.4:
        // both non-negative, so the projection keeps them
        Fraction f = KnowledgeFraction.linear(p, kA, kB, lam);
        assertClose(f.pA(), new double[] {0.32 / 0.6, 0.22 / 0.6, 0.06 / 0.6}, 1e-15);
        assertClose(f.pB(), new double[] {0.25, 0.3, 0.45}, 1e-15);
        assertThat(f.updateA()).isTrue();
        assertThat(f.updateB()).isTrue();
        // each side with the other's stored knowledge reproduces p~, the pair does not (r = p - 0.6 kA - 0.4 kB)
        assertThat(residual(p, f.pA(), kB, lam)).isLessThan(1e-15);
        assertThat(residual(p, kA, f.pB(), lam)).isLessThan(1e-15);
        double[] r = {0.4 - 0.3 - 0.08, 0.3 - 0.18 - 0.08, 0.3 - 0.12 - 0.24};
        assertThat(f.equalityResidual()).isCloseTo(Arrays.stream(r).map(Math::abs).max().getAsDouble(),
                within(1e-15));

        // an active projection: (p - 0.4 kB) / 0.6 = (0.9, 0.3, -0.2) / ... has a negative entry
        double[] kB2 = {0.0, 0.25, 0.75};
        double[] p2 = {0.54, 0.28, 0.18};
        double[] vA = {0.54 / 0.6, (0.28 - 0.1) / 0.6, (0.18 - 0.3) / 0.6}; // (0.9, 0.3, -0.2)
        Fraction g = KnowledgeFraction.linear(p2, kA, kB2, lam);
        // simplex projection of (0.9, 0.3, -0.2): theta = 0.1, giving (0.8, 0.2, 0)
        assertClose(vA, new double[] {0.9, 0.3, -0.2}, 1e-15);
        assertClose(g.pA(), new double[] {0.8, 0.2, 0.0}, 1e-15);
        // the projection moved p_a by (-0.1, -0.1, 0.2): the per-side equality now fails by lam times that
        double[] perSide = new double[3];
        for (int i = 0; i < 3; i++) {
            perSide[i] = lam * g.pA()[i] + (1 - lam) * kB2[i] - p2[i];
        }
        assertClose(perSide, new double[] {-0.06, -0.06, 0.12}, 1e-15);
        // the solver's residual is this expression on the returned pair, but of p~ renormalised in double (each entry
        // within C u64 of p~'s, values up to 1): gamma64(C + 4) of 2
        assertThat(g.equalityResidual()).isCloseTo(residual(p2, g.pA(), g.pB(), lam),
                within(2 * FloatBounds.gamma64(3 + 4)));
        assertThat(g.equalityResidual()).isGreaterThan(0.01);
    }

    @Test
    void linearSkipsASideBelowTheFloor() {
        double[] p = {0.3, 0.3, 0.4};
        double[] kA = {0.1, 0.1, 0.8};
        double[] kB = {0.3, 0.4, 0.3};
        assertThat(KnowledgeFraction.LINEAR_LAMBDA_FLOOR).isEqualTo(0.05); // docs/methods.md section 6
        assertThat(Mode.LINEAR.defaultFloor()).isEqualTo(0.05);
        Fraction low = KnowledgeFraction.linear(p, kA, kB, 0.03);
        assertThat(low.updateA()).isFalse();
        assertThat(low.updateB()).isTrue();
        assertClose(low.pA(), kA, 0);
        assertOnSimplex(low.pB());
        Fraction high = KnowledgeFraction.linear(p, kA, kB, 0.97);
        assertThat(high.updateA()).isTrue();
        assertThat(high.updateB()).isFalse();
        assertClose(high.pB(), kB, 0);
        Fraction atFloor = KnowledgeFraction.linear(p, kA, kB, 0.05);
        assertThat(atFloor.updateA()).isTrue();
        assertThat(KnowledgeFraction.linear(p, kA, kB, 0.2, 0.25).updateA()).isFalse();
        assertThat(KnowledgeFraction.linear(p, kA, kB, 0.2, 0.0).updateA()).isTrue();
        for (double lam : SPECIAL_LAMBDAS) {
            Fraction f = KnowledgeFraction.linear(p, kA, kB, lam);
            assertThat(f.updateA() || f.updateB()).isTrue();
            assertOnSimplex(f.pA());
            assertOnSimplex(f.pB());
        }
        // exact flags with a floor but solves the same problem
        Fraction e = KnowledgeFraction.exact(p, kA, kB, 0.03, 0.05);
        assertThat(e.updateA()).isFalse();
        assertClose(e.pA(), kA, 0);
        assertClose(e.pB(), KnowledgeFraction.exact(p, kA, kB, 0.03).pB(), 0);
    }

    @Test
    void linearOutputsAreOnTheSimplex() {
        Random rng = new Random(20);
        for (int t = 0; t < 2000; t++) {
            int c = 2 + rng.nextInt(t % 2 == 0 ? 5 : 200);
            Case k = randomCase(rng, c, randomLambda(rng));
            Fraction f = KnowledgeFraction.linear(k.p, k.kA, k.kB, k.lam);
            assertOnSimplex(f.pA());
            assertOnSimplex(f.pB());
            // as above: this expression, of p~ renormalised in double by the solver
            assertThat(f.equalityResidual()).isCloseTo(residual(k.p, f.pA(), f.pB(), k.lam),
                    within(2 * FloatBounds.gamma64(c + 4)));
        }
    }

    // ------------------------------------------------------------------------------------------------- none

    @Test
    void noneGivesTheMixedOutputToTheLargerLambda() {
        double[] p = {0.7, 0.2, 0.1};
        double[] kA = {0.2, 0.2, 0.6};
        double[] kB = {0.1, 0.8, 0.1};
        Fraction a = KnowledgeFraction.none(p, kA, kB, 0.7);
        assertThat(a.updateA()).isTrue();
        assertThat(a.updateB()).isFalse();
        assertClose(a.pA(), p, 1e-15);
        assertClose(a.pB(), kB, 0);
        Fraction b = KnowledgeFraction.none(p, kA, kB, 0.3);
        assertThat(b.updateA()).isFalse();
        assertThat(b.updateB()).isTrue();
        assertClose(b.pB(), p, 1e-15);
        assertClose(b.pA(), kA, 0);
        Fraction tie = KnowledgeFraction.none(p, kA, kB, 0.5);
        assertThat(tie.updateA()).isTrue();
        assertThat(tie.updateB()).isFalse();
        assertThat(KnowledgeFraction.none(p, kA, kB, 1 - 1e-6).updateA()).isTrue();
        assertThat(KnowledgeFraction.none(p, kA, kB, 1e-6).updateB()).isTrue();
    }

    // ------------------------------------------------------------------------------------------ projections

    @Test
    void simplexProjectionSatisfiesItsOptimalityCondition() {
        assertClose(SimplexProjection.ontoSimplex(new double[] {0.5, 0.5}), new double[] {0.5, 0.5}, 0);
        assertClose(SimplexProjection.ontoSimplex(new double[] {2, 0}), new double[] {1, 0}, 1e-15);
        assertClose(SimplexProjection.ontoSimplex(new double[] {0.2, 0.2, 0.2}),
                new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, 1e-15);
        assertClose(SimplexProjection.ontoSimplex(new double[] {-5, 3}), new double[] {0, 1}, 0);
        Random rng = new Random(21);
        for (int t = 0; t < 2000; t++) {
            int c = 1 + rng.nextInt(t % 2 == 0 ? 4 : 100);
            double[] v = new double[c];
            for (int i = 0; i < c; i++) {
                v[i] = rng.nextGaussian() * (t % 3 == 0 ? 0.1 : 3);
            }
            double[] x = SimplexProjection.ontoSimplex(v);
            assertOnSimplex(x);
            // x is the projection iff (v - x).(y - x) <= 0 for every y on the simplex, i.e. every vertex
            for (int j = 0; j < c; j++) {
                double s = 0;
                for (int i = 0; i < c; i++) {
                    s += (v[i] - x[i]) * ((i == j ? 1 : 0) - x[i]);
                }
                assertThat(s).isLessThanOrEqualTo(1e-12);
            }
            // with the box [0, 1] the two algorithms answer the same
            double[] zeros = new double[c];
            double[] ones = new double[c];
            Arrays.fill(ones, 1);
            assertClose(SimplexProjection.ontoBoxedSimplex(v, zeros, ones), x, 1e-12);
            assertClose(SimplexProjection.ontoSimplex(x), x, 1e-14);
        }
    }

    @Test
    void boxedProjectionHandlesPinnedAndTightBoxes() {
        // every coordinate pinned: the only feasible point
        double[] lo = {0.2, 0.3, 0.5};
        assertClose(SimplexProjection.ontoBoxedSimplex(new double[] {5, -1, 0}, lo, lo), lo, 0);
        // sum hi = 1: x = hi
        double[] hi = {0.5, 0.5, 0.0};
        assertClose(SimplexProjection.ontoBoxedSimplex(new double[] {0, 0, 1}, new double[3], hi), hi, 0);
        // one free coordinate between pinned ones
        double[] x = SimplexProjection.ontoBoxedSimplex(new double[] {0.9, 0.9, 0.9},
                new double[] {0.3, 0, 0.2}, new double[] {0.3, 1, 0.2});
        assertClose(x, new double[] {0.3, 0.5, 0.2}, 1e-15);
        assertThatThrownBy(() -> SimplexProjection.ontoBoxedSimplex(new double[] {0, 0},
                new double[] {0.6, 0.6}, new double[] {1, 1})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
    }

    // ------------------------------------------------------------------------------------------------ batch

    @Test
    void batchMatchesPerSampleSolves() {
        Random rng = new Random(22);
        int c = 5;
        double[] lams = {0.5, 1e-6, 1 - 1e-6, 0.0, 1.0, 0.03, 0.42, 0.97};
        int n = lams.length;
        float[] p = new float[n * c];
        float[] kA = new float[n * c];
        float[] kB = new float[n * c];
        for (int s = 0; s < n; s++) {
            Case k = randomCase(rng, c, lams[s]);
            for (int i = 0; i < c; i++) {
                p[s * c + i] = (float) k.p[i];
                kA[s * c + i] = (float) k.kA[i];
                kB[s * c + i] = (float) k.kB[i];
            }
        }
        for (Mode mode : Mode.values()) {
            BatchFraction b = KnowledgeFraction.batch(mode, p, kA, kB, lams, c, mode.defaultFloor());
            assertThat(b.size()).isEqualTo(n);
            assertThat(b.classes()).isEqualTo(c);
            double maxRes = 0;
            for (int s = 0; s < n; s++) {
                Fraction f = KnowledgeFraction.fraction(mode, row(p, s, c), row(kA, s, c), row(kB, s, c), lams[s],
                        mode.defaultFloor());
                for (int i = 0; i < c; i++) {
                    assertThat(b.pA()[s * c + i]).isEqualTo((float) f.pA()[i]);
                    assertThat(b.pB()[s * c + i]).isEqualTo((float) f.pB()[i]);
                }
                assertThat(b.updateA()[s]).isEqualTo(f.updateA());
                assertThat(b.updateB()[s]).isEqualTo(f.updateB());
                assertThat(b.equalityResidual()[s]).isEqualTo(f.equalityResidual());
                maxRes = Math.max(maxRes, f.equalityResidual());
                if (mode == Mode.EXACT) {
                    float sumA = 0;
                    float sumB = 0;
                    for (int i = 0; i < c; i++) {
                        assertThat(b.pA()[s * c + i]).isBetween(0f, 1f);
                        assertThat(b.pB()[s * c + i]).isBetween(0f, 1f);
                        sumA += b.pA()[s * c + i];
                        sumB += b.pB()[s * c + i];
                    }
                    // the double solution sums to 1 within SIMPLEX_TOL; cast to float (u each) and summed in
                    // float (gamma(C - 1)): gamma(2 C)
                    float tol = (float) (FloatBounds.gamma(2L * c) + SIMPLEX_TOL);
                    assertThat(sumA).isCloseTo(1f, within(tol));
                    assertThat(sumB).isCloseTo(1f, within(tol));
                }
            }
            assertThat(b.maxEqualityResidual()).isEqualTo(maxRes);
            // one lambda for the whole batch
            BatchFraction one = KnowledgeFraction.batch(mode, p, kA, kB, 0.42, c, mode.defaultFloor());
            BatchFraction many = KnowledgeFraction.batch(mode, p, kA, kB, filled(n, 0.42), c, mode.defaultFloor());
            assertThat(one.pA()).containsExactly(many.pA());
            assertThat(one.pB()).containsExactly(many.pB());
        }
        BatchFraction empty = KnowledgeFraction.batch(Mode.EXACT, new float[0], new float[0], new float[0],
                new double[0], c, 0);
        assertThat(empty.size()).isZero();
        assertThat(empty.maxEqualityResidual()).isZero();
    }

    @Test
    void floatSoftmaxInputsAreRenormalised() {
        // a float softmax sums to 1 only within float rounding; lam near 1 would amplify that for p_b
        float[] p = {0.1f, 0.2f, 0.3f, 0.4f + 3e-7f};
        float[] kA = {0.25f, 0.25f, 0.25f, 0.25f};
        float[] kB = {0.7f, 0.1f, 0.1f, 0.1f};
        BatchFraction b = KnowledgeFraction.batch(Mode.EXACT, p, kA, kB, 1 - 1e-6, 4, 0);
        double sumB = 0;
        for (int i = 0; i < 4; i++) {
            assertThat(b.pB()[i]).isBetween(0f, 1f);
            sumB += b.pB()[i];
        }
        // renormalised in double (SIMPLEX_TOL), cast to float (u each of 4), summed in double
        assertThat(sumB).isCloseTo(1, within(4 * FloatBounds.U + SIMPLEX_TOL));
    }

    @Test
    void rejectsInvalidInputs() {
        double[] p = {0.2, 0.8};
        double[] k = {0.5, 0.5};
        assertThatThrownBy(() -> KnowledgeFraction.exact(new double[] {2.0, -1.0}, k, k, 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("probability vector");
        assertThatThrownBy(() -> KnowledgeFraction.exact(new double[] {3.0, 1.0}, k, k, 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sums to");
        assertThatThrownBy(() -> KnowledgeFraction.linear(p, k, new double[] {1, 0, 0}, 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one length");
        assertThatThrownBy(() -> KnowledgeFraction.none(p, k, k, 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lambda");
        assertThatThrownBy(() -> KnowledgeFraction.exact(p, k, k, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lambda");
        assertThatThrownBy(() -> KnowledgeFraction.exact(p, new double[] {Double.NaN, 1}, k, 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not finite");
        assertThatThrownBy(() -> KnowledgeFraction.linear(p, k, k, 0.5, 0.6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("floor");
        float[] f = {0.2f, 0.8f, 0.5f, 0.5f};
        assertThatThrownBy(() -> KnowledgeFraction.batch(Mode.EXACT, f, f, f, new double[] {0.5}, 2, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one lambda per sample");
        assertThatThrownBy(() -> KnowledgeFraction.batch(Mode.EXACT, f, f, f, 0.5, 3, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple");
        assertThatThrownBy(() -> KnowledgeFraction.batch(Mode.EXACT, f, new float[2], f, 0.5, 2, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length");
        float[] logits = {0.2f, 0.8f, 2f, -1f};
        assertThatThrownBy(() -> KnowledgeFraction.batch(Mode.LINEAR, logits, f, f, 0.5, 2, 0.05))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sample 1");
    }

    @Test
    void modesParseFromConfigNames() {
        assertThat(Mode.parse("none")).isEqualTo(Mode.NONE);
        assertThat(Mode.parse("linear")).isEqualTo(Mode.LINEAR);
        assertThat(Mode.parse(" Exact ")).isEqualTo(Mode.EXACT);
        assertThat(Mode.EXACT.configName()).isEqualTo("exact");
        assertThatThrownBy(() -> Mode.parse("opt1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("none, linear, exact");
    }

    // ================================================================================ independent reference

    /**
     * OPT1 solved without the per-class derivation: the QP in x = (p_a, p_b) (2C variables), minimising
     * sum_j w_j (x_j - k_j)^2 with w = (lam, ..., 1 - lam, ...), subject to the C mixing equalities, both sums
     * (one of them redundant), and x >= 0. For every subset of the 2C bounds taken as active equalities, the
     * minimiser on that affine set is x = k + W^-1 M^T mu with (M W^-1 M^T) mu = c - M k (solved with full
     * pivoting, dependent rows dropped, inconsistent sets skipped); the best non-negative one is the optimum.
     */
    static double[][] referenceOpt1(double[] p, double[] kA, double[] kB, double lam) {
        int c = p.length;
        int nv = 2 * c;
        double[] w = new double[nv];
        double[] k = new double[nv];
        for (int i = 0; i < c; i++) {
            w[i] = lam;
            w[c + i] = 1 - lam;
            k[i] = kA[i];
            k[c + i] = kB[i];
        }
        double best = Double.POSITIVE_INFINITY;
        double[] bestX = null;
        for (int mask = 0; mask < (1 << nv); mask++) {
            List<double[]> rows = new ArrayList<>();
            List<Double> rhs = new ArrayList<>();
            for (int i = 0; i < c; i++) {
                double[] r = new double[nv];
                r[i] = lam;
                r[c + i] = 1 - lam;
                rows.add(r);
                rhs.add(p[i]);
            }
            double[] sa = new double[nv];
            double[] sb = new double[nv];
            for (int i = 0; i < c; i++) {
                sa[i] = 1;
                sb[c + i] = 1;
            }
            rows.add(sa);
            rhs.add(1.0);
            rows.add(sb);
            rhs.add(1.0);
            for (int j = 0; j < nv; j++) {
                if ((mask & (1 << j)) != 0) {
                    double[] r = new double[nv];
                    r[j] = 1;
                    rows.add(r);
                    rhs.add(0.0);
                }
            }
            int m = rows.size();
            double[][] g = new double[m][m];
            double[] h = new double[m];
            for (int a = 0; a < m; a++) {
                double[] ra = rows.get(a);
                double mk = 0;
                for (int j = 0; j < nv; j++) {
                    mk += ra[j] * k[j];
                }
                h[a] = rhs.get(a) - mk;
                for (int b = 0; b < m; b++) {
                    double[] rb = rows.get(b);
                    double s = 0;
                    for (int j = 0; j < nv; j++) {
                        s += ra[j] * rb[j] / w[j];
                    }
                    g[a][b] = s;
                }
            }
            double[] mu = pseudoSolve(g, h);
            double[] x = k.clone();
            for (int a = 0; a < m; a++) {
                double[] ra = rows.get(a);
                for (int j = 0; j < nv; j++) {
                    x[j] += ra[j] * mu[a] / w[j];
                }
            }
            boolean ok = true;
            for (int a = 0; a < m && ok; a++) {
                double[] ra = rows.get(a);
                double s = 0;
                for (int j = 0; j < nv; j++) {
                    s += ra[j] * x[j];
                }
                ok = Math.abs(s - rhs.get(a)) < 1e-8;
            }
            if (!ok) {
                continue;
            }
            // repair: the heavier side from the equality (a division by at least 0.5), so that no candidate
            // gains from violating it; then both sums and the bounds must hold
            for (int i = 0; i < c; i++) {
                if (lam <= 0.5) {
                    x[c + i] = (p[i] - lam * x[i]) / (1 - lam);
                } else {
                    x[i] = (p[i] - (1 - lam) * x[c + i]) / lam;
                }
            }
            double sumA = 0;
            double sumB = 0;
            for (int i = 0; i < c; i++) {
                sumA += x[i];
                sumB += x[c + i];
            }
            ok = Math.abs(sumA - 1) < 1e-9 && Math.abs(sumB - 1) < 1e-9;
            for (int j = 0; j < nv && ok; j++) {
                ok = x[j] >= -1e-12;
            }
            if (!ok) {
                continue;
            }
            double obj = 0;
            for (int j = 0; j < nv; j++) {
                obj += w[j] * (x[j] - k[j]) * (x[j] - k[j]);
            }
            if (obj < best) {
                best = obj;
                bestX = x;
            }
        }
        assertThat(bestX).as("the reference found no feasible point").isNotNull();
        return new double[][] {Arrays.copyOfRange(bestX, 0, c), Arrays.copyOfRange(bestX, c, nv)};
    }

    /** One solution of G y = h (G symmetric PSD): Gaussian elimination, full pivoting, free unknowns 0. */
    static double[] pseudoSolve(double[][] g0, double[] h0) {
        int n = h0.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = Arrays.copyOf(g0[i], n + 1);
            a[i][n] = h0[i];
        }
        int[] col = new int[n];
        for (int i = 0; i < n; i++) {
            col[i] = i;
        }
        double scale = 0;
        for (double[] r : a) {
            for (int j = 0; j < n; j++) {
                scale = Math.max(scale, Math.abs(r[j]));
            }
        }
        int rank = 0;
        for (; rank < n; rank++) {
            int pr = -1;
            int pc = -1;
            double big = 0;
            for (int i = rank; i < n; i++) {
                for (int j = rank; j < n; j++) {
                    if (Math.abs(a[i][j]) > big) {
                        big = Math.abs(a[i][j]);
                        pr = i;
                        pc = j;
                    }
                }
            }
            if (big <= 1e-14 * scale) {
                break;
            }
            double[] t = a[rank];
            a[rank] = a[pr];
            a[pr] = t;
            for (double[] r : a) {
                double s = r[rank];
                r[rank] = r[pc];
                r[pc] = s;
            }
            int s = col[rank];
            col[rank] = col[pc];
            col[pc] = s;
            for (int i = rank + 1; i < n; i++) {
                double f = a[i][rank] / a[rank][rank];
                for (int j = rank; j <= n; j++) {
                    a[i][j] -= f * a[rank][j];
                }
            }
        }
        double[] y = new double[n];
        for (int i = rank - 1; i >= 0; i--) {
            double s = a[i][n];
            for (int j = i + 1; j < rank; j++) {
                s -= a[i][j] * y[j];
            }
            y[i] = s / a[i][i];
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[col[i]] = y[i];
        }
        return out;
    }

    /** The objective at p_a = a with p_b from the equality, or +infinity when p_b leaves the simplex. */
    static double gridObjective(Case k, double[] a) {
        double[] b = complete(k.p, a, k.lam, true);
        for (double v : b) {
            if (v < -1e-15) {
                return Double.POSITIVE_INFINITY;
            }
        }
        return KnowledgeFraction.fractionLoss(k.lam, a, b, k.kA, k.kB);
    }

    // ============================================================================================== helpers

    record Case(double[] p, double[] kA, double[] kB, double lam, double[] tA, double[] tB) {}

    /** p~ mixed from two true distributions (or, one case in four, an arbitrary distribution); K random,
     *  near the truth, or equal to it. */
    static Case randomCase(Random rng, int c, double lam) {
        double[] tA = randomDistribution(rng, c);
        double[] tB = randomDistribution(rng, c);
        double[] p = rng.nextInt(4) == 0 ? randomDistribution(rng, c) : mix(lam, tA, tB);
        double[] kA;
        double[] kB;
        switch (rng.nextInt(3)) {
            case 0 -> {
                kA = randomDistribution(rng, c);
                kB = randomDistribution(rng, c);
            }
            case 1 -> {
                double keep = rng.nextDouble();
                kA = blend(keep, tA, randomDistribution(rng, c));
                kB = blend(keep, tB, randomDistribution(rng, c));
            }
            default -> {
                kA = tA.clone();
                kB = rng.nextBoolean() ? tB.clone() : randomDistribution(rng, c);
            }
        }
        return new Case(p, kA, kB, lam, tA, tB);
    }

    static double randomLambda(Random rng) {
        int r = rng.nextInt(8);
        if (r < 3) {
            return SPECIAL_LAMBDAS[r];
        }
        return r == 3 ? rng.nextDouble() * 0.05 : rng.nextDouble();
    }

    /** Dense (flat or peaked), sparse with exact zeros, one-hot or uniform. */
    static double[] randomDistribution(Random rng, int c) {
        double[] x = new double[c];
        int style = rng.nextInt(6);
        if (style == 4) {
            return oneHot(c, rng.nextInt(c));
        }
        if (style == 5) {
            Arrays.fill(x, 1.0 / c);
            return x;
        }
        double power = style == 0 ? 1 : style == 1 ? 4 : 10;
        double sum = 0;
        for (int i = 0; i < c; i++) {
            x[i] = style == 3 && rng.nextDouble() < 0.5 ? 0 : Math.pow(-Math.log(1 - rng.nextDouble()), power);
            sum += x[i];
        }
        if (sum == 0) {
            return oneHot(c, rng.nextInt(c));
        }
        for (int i = 0; i < c; i++) {
            x[i] /= sum;
        }
        return x;
    }

    static double[] oneHot(int c, int j) {
        double[] x = new double[c];
        x[j] = 1;
        return x;
    }

    static double[] mix(double lam, double[] a, double[] b) {
        double[] x = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            x[i] = lam * a[i] + (1 - lam) * b[i];
        }
        return x;
    }

    static double[] blend(double keep, double[] a, double[] b) {
        return mix(keep, a, b);
    }

    /** The other side from the mixing equality: given p_a (fromA) the p_b, or given p_b the p_a. */
    static double[] complete(double[] p, double[] side, double lam, boolean fromA) {
        double[] x = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            x[i] = fromA ? (p[i] - lam * side[i]) / (1 - lam) : (p[i] - (1 - lam) * side[i]) / lam;
        }
        return x;
    }

    static double objective(Case k, Fraction f) {
        return KnowledgeFraction.fractionLoss(k.lam, f.pA(), f.pB(), k.kA, k.kB);
    }

    static double residual(double[] p, double[] a, double[] b, double lam) {
        double m = 0;
        for (int i = 0; i < p.length; i++) {
            m = Math.max(m, Math.abs(lam * a[i] + (1 - lam) * b[i] - p[i]));
        }
        return m;
    }

    static void assertOnSimplex(double[] x) {
        double sum = 0;
        for (double v : x) {
            assertThat(v).isBetween(-SIMPLEX_TOL, 1 + SIMPLEX_TOL);
            sum += v;
        }
        assertThat(sum).isCloseTo(1, within(SIMPLEX_TOL));
    }

    static void assertFeasible(Case k, Fraction f) {
        assertOnSimplex(f.pA());
        assertOnSimplex(f.pB());
        assertThat(residual(k.p, f.pA(), f.pB(), k.lam)).as("lam %s", k.lam).isLessThan(EQUALITY_TOL);
    }

    static void assertClose(double[] actual, double[] expected, double tol) {
        assertThat(actual).hasSameSizeAs(expected);
        int worst = 0;
        for (int i = 0; i < actual.length; i++) {
            if (!(Math.abs(actual[i] - expected[i]) <= Math.abs(actual[worst] - expected[worst]))) {
                worst = i;
            }
        }
        if (!(Math.abs(actual[worst] - expected[worst]) <= tol)) {
            assertThat(actual[worst]).as("entry %d of %s vs %s", worst, Arrays.toString(actual),
                    Arrays.toString(expected)).isCloseTo(expected[worst], within(tol));
        }
    }

    static double[] row(float[] flat, int s, int c) {
        double[] x = new double[c];
        for (int i = 0; i < c; i++) {
            x[i] = flat[s * c + i];
        }
        return x;
    }

    static double[] filled(int n, double v) {
        double[] x = new double[n];
        Arrays.fill(x, v);
        return x;
    }
}
