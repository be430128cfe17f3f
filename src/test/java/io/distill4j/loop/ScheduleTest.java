package io.distill4j.loop;

import io.distill4j.FloatBounds;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Schedules are Java double arithmetic (the same on every machine): values are compared exactly where the test's
 * expression is the schedule's own (or exact in double), and within Math.cos's 1 ulp where the cosine of pi is
 * involved: cos(fl(pi)) is -1 + 7.5e-33, which is -1.0 correctly rounded, but Math.cos may be 1 ulp (2^-53) off,
 * leaving base * 0.5 * 2^-53 instead of 0.
 */
class ScheduleTest {
    @Test
    void cosineStartsAtBaseAndEndsAtZero() {
        Schedule s = new Schedule("cosine", 0.1, 100, 0, new long[0], 0.1);
        assertThat(s.lr(0)).isEqualTo(0.1);
        // cos(fl(pi) / 2) = 6.1e-17, below half an ulp of 1: 1 + it is 1, and 0.1 * 0.5 = fl(0.05) exactly
        assertThat(s.lr(50)).isEqualTo(0.05);
        assertThat(s.lr(25)).isEqualTo(0.1 * 0.5 * (1 + Math.cos(Math.PI / 4))); // pi * 0.25 = pi / 4 exactly
        assertThat(s.lr(100)).isCloseTo(0, within(0.1 * 0.5 * FloatBounds.U64));
        assertThat(s.lr(99)).isGreaterThan(0).isLessThan(1e-4);
    }

    @Test
    void multistepDropsAtTheMilestoneItself() {
        Schedule s = new Schedule("multistep", 0.1, 100, 0, new long[] {50, 75}, 0.1);
        assertThat(s.lr(49)).isEqualTo(0.1);
        // the schedule's own products, in its order (0.1 * 0.1 is 0.010000000000000002, not 0.01)
        assertThat(s.lr(50)).isEqualTo(0.1 * 0.1);
        assertThat(s.lr(74)).isEqualTo(0.1 * 0.1);
        assertThat(s.lr(75)).isEqualTo(0.1 * 0.1 * 0.1);
    }

    @Test
    void warmupIsLinearThenCosineOverTheRest() {
        Schedule s = new Schedule("cosine", 0.2, 110, 10, new long[0], 0.1);
        // warm-up: base * (step + 1) / W, the schedule's own expression; 0.02, 0.1 and 0.2 up to its roundings
        assertThat(s.lr(0)).isEqualTo(0.2 * 1 / 10);
        assertThat(s.lr(4)).isEqualTo(0.2 * 5 / 10).isEqualTo(0.1);
        assertThat(s.lr(9)).isEqualTo(0.2 * 10 / 10).isEqualTo(0.2);
        assertThat(s.lr(10)).isEqualTo(0.2); // cos(0) = 1
        assertThat(s.lr(60)).isEqualTo(0.1); // as lr(50) above
        assertThat(s.lr(110)).isCloseTo(0, within(0.2 * 0.5 * FloatBounds.U64));
    }

    @Test
    void constantIsConstant() {
        Schedule s = new Schedule("constant", 0.3, 10, 0, new long[0], 0.1);
        assertThat(s.lr(0)).isEqualTo(0.3);
        assertThat(s.lr(9)).isEqualTo(0.3);
    }
}
