package io.distill4j.methods.mlkd;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MLKD's confidence masks keep the share numpy's {@code mean(x <= np.percentile(x, 50))} gives
 * ({@code tools/reference_values.py}), ties and a single value included, for samples and for classes.
 */
class MlkdMasksTest {
    @Test
    void theKeptFractionIsNumpys() {
        assertThat(Mlkd.keptFraction(new double[] {0.9f, 0.2f, 0.5f, 0.7f}, 50)).isEqualTo(0.5f);
        assertThat(Mlkd.keptFraction(new double[] {0.3f, 0.3f, 0.3f, 0.1f, 0.9f}, 50)).isEqualTo(0.8f);
        assertThat(Mlkd.keptFraction(new double[] {0.5f}, 50)).isEqualTo(1f);
        assertThat(Mlkd.keptFraction(new double[] {0.1f, 0.4f, 0.4f, 0.4f, 0.8f, 0.9f}, 50)).isEqualTo(4f / 6);
    }

    @Test
    void samplesByTheirTopProbabilityClassesByTheirSums() {
        // 3 samples, 2 classes: tops 0.9, 0.6, 0.7 -> median 0.7 keeps 2 of 3; class sums 1.6, 1.4 -> 1 of 2
        float[] p = {0.9f, 0.1f, 0.4f, 0.6f, 0.3f, 0.7f};
        float[] f = Mlkd.maskFractions(p, 2, 50);
        assertThat(f[0]).isEqualTo(2f / 3);
        assertThat(f[1]).isEqualTo(0.5f);
    }
}
