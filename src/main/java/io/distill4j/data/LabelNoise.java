package io.distill4j.data;

import io.distill4j.util.Seeds;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Injected label noise: exactly {@code round(fraction * N)} training samples, chosen by the seed, get another
 * label. {@code symmetric}: a uniformly random different class. {@code asymmetric}: class c becomes
 * {@code mapping[c]} (default c+1 mod C, a fixed confusion between neighbouring classes).
 */
public final class LabelNoise {
    private LabelNoise() {}

    /** The noisy dataset and which samples were changed (sorted dataset indices), with their true labels. */
    public record Result(ImageDataset dataset, int[] changed, int[] trueLabels) {}

    public static Result apply(ImageDataset ds, double fraction, String type, int[] mapping, long seed) {
        int n = ds.size();
        int classes = ds.numClasses();
        int k = (int) Math.round(fraction * n);
        int[] chosen = Arrays.copyOf(Seeds.permutation(n, Seeds.rng(seed, "label-noise")), k);
        Arrays.sort(chosen);
        int[] labels = ds.labels().clone();
        SplittableRandom rng = Seeds.rng(seed, "label-noise-class");
        int[] truth = new int[k];
        int changed = 0;
        int[] idx = new int[k];
        for (int i : chosen) {
            int y = labels[i];
            int z;
            if (type.equals("symmetric")) {
                z = rng.nextInt(classes - 1);
                if (z >= y) {
                    z++;
                }
            } else {
                z = mapping != null ? mapping[y] : (y + 1) % classes;
            }
            if (z != y) {
                truth[changed] = y;
                idx[changed++] = i;
                labels[i] = z;
            }
        }
        return new Result(ds.withLabels(labels), Arrays.copyOf(idx, changed), Arrays.copyOf(truth, changed));
    }
}
