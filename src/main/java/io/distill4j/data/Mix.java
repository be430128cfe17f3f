package io.distill4j.data;

/**
 * How a batch was mixed: the kind, each sample's partner (its dataset index, so a method can look up both
 * images' knowledge, its label, and its position among the partner views), lambda, the weight of the sample's
 * own image and label (for CutMix the area it keeps), the views before mixing, and the views the partners come
 * from (the same arrays, not copies), for diagnostics that need each image alone. All views of a batch are mixed
 * alike. A batch mixed with a permutation of itself has {@code partnerViews == unmixedViews}; a batch mixed
 * with a second batch ({@code data.mix_partner: second_batch}) has that batch's views, partner i at position i.
 */
public record Mix(Kind kind, int[] partnerIndices, int[] partnerLabels, float lambda, int[] partnerPositions,
                  float[][] unmixedViews, float[][] partnerViews) {
    public enum Kind { CUTMIX, MIXUP }

    /** True when the partners are images of the batch itself (a permutation), not of a second batch. */
    public boolean withinBatch() {
        return partnerViews == unmixedViews;
    }
}
