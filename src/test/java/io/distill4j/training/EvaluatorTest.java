package io.distill4j.training;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class EvaluatorTest {
    @Test
    void topOneTopFiveAndLossByHand() {
        // 2 samples, 6 classes
        float[] probs = {
                0.5f, 0.2f, 0.1f, 0.1f, 0.05f, 0.05f, // label 0: top-1 hit
                0.3f, 0.25f, 0.2f, 0.1f, 0.1f, 0.05f}; // label 5: rank 6, missed by top-5
        double[] acc = new double[3];
        Evaluator.score(probs, new int[] {0, 5}, acc);
        assertThat(acc[0]).isEqualTo(1);
        assertThat(acc[1]).isEqualTo(1);
        assertThat(acc[2]).isCloseTo(-Math.log(0.5) - Math.log(0.05), within(1e-6));
        double[] acc2 = new double[3];
        Evaluator.score(probs, new int[] {3, 3}, acc2); // ranks 3 (tie counts in favour) and 4
        assertThat(acc2[0]).isZero();
        assertThat(acc2[1]).isEqualTo(2);
    }
}
