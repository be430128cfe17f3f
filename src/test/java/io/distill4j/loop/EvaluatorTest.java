package io.distill4j.loop;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

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
        // exact: score sums -log of the float probabilities in double, in this order (the float 0.05f, not 0.05)
        assertThat(acc[2]).isEqualTo(-Math.log(0.5f) - Math.log(0.05f));
        double[] acc2 = new double[3];
        Evaluator.score(probs, new int[] {3, 3}, acc2); // sample 0: 0.1 tied with class 2, rank 4; sample 1: rank 4/5
        assertThat(acc2[0]).isZero();
        assertThat(acc2[1]).isEqualTo(2);
    }

    @Test
    void aTieIsNeverAHit() {
        float[] uniform = new float[10];
        Arrays.fill(uniform, 0.1f);
        double[] acc = new double[3];
        Evaluator.score(uniform, new int[] {4}, acc);
        assertThat(acc[0]).as("top-1 of a uniform prediction").isZero();
        assertThat(acc[1]).as("top-5 of a uniform prediction").isZero();
        // saturated probabilities: the true class and four others at exactly 0, five at 0.2
        float[] saturated = {0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0, 0, 0, 0, 0};
        double[] acc2 = new double[3];
        Evaluator.score(saturated, new int[] {7}, acc2);
        assertThat(acc2[1]).as("top-5 with the true class tied at 0 below five others").isZero();
        // a tie below the top: true class 0.3 tied with one other, strictly above the rest: top-5 but not top-1
        float[] tieTop = {0.3f, 0.3f, 0.1f, 0.1f, 0.1f, 0.1f};
        double[] acc3 = new double[3];
        Evaluator.score(tieTop, new int[] {0}, acc3);
        assertThat(acc3[0]).isZero();
        assertThat(acc3[1]).isEqualTo(1);
    }
}
