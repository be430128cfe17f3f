package io.distill4j.training;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ScheduleTest {
    @Test
    void cosineStartsAtBaseAndEndsAtZero() {
        Schedule s = new Schedule("cosine", 0.1, 100, 0, new long[0], 0.1);
        assertThat(s.lr(0)).isEqualTo(0.1);
        assertThat(s.lr(50)).isCloseTo(0.05, within(1e-12));
        assertThat(s.lr(25)).isCloseTo(0.1 * 0.5 * (1 + Math.cos(Math.PI / 4)), within(1e-12));
        assertThat(s.lr(100)).isCloseTo(0, within(1e-12));
        assertThat(s.lr(99)).isGreaterThan(0).isLessThan(1e-4);
    }

    @Test
    void multistepDropsAtTheMilestoneItself() {
        Schedule s = new Schedule("multistep", 0.1, 100, 0, new long[] {50, 75}, 0.1);
        assertThat(s.lr(49)).isEqualTo(0.1);
        assertThat(s.lr(50)).isCloseTo(0.01, within(1e-12));
        assertThat(s.lr(74)).isCloseTo(0.01, within(1e-12));
        assertThat(s.lr(75)).isCloseTo(0.001, within(1e-12));
    }

    @Test
    void warmupIsLinearThenCosineOverTheRest() {
        Schedule s = new Schedule("cosine", 0.2, 110, 10, new long[0], 0.1);
        assertThat(s.lr(0)).isCloseTo(0.02, within(1e-12));
        assertThat(s.lr(4)).isCloseTo(0.1, within(1e-12));
        assertThat(s.lr(9)).isCloseTo(0.2, within(1e-12));
        assertThat(s.lr(10)).isCloseTo(0.2, within(1e-12));
        assertThat(s.lr(60)).isCloseTo(0.1, within(1e-12));
        assertThat(s.lr(110)).isCloseTo(0, within(1e-12));
    }

    @Test
    void constantIsConstant() {
        Schedule s = new Schedule("constant", 0.3, 10, 0, new long[0], 0.1);
        assertThat(s.lr(0)).isEqualTo(0.3);
        assertThat(s.lr(9)).isEqualTo(0.3);
    }
}
