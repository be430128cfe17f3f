package io.distill4j.data;

/**
 * How a batch was mixed: the kind, each sample's partner (its dataset index, so a method can look up both
 * images' knowledge, its label, and its position in the batch), lambda, the weight of the sample's own image
 * and label (for CutMix the area it keeps), and the views before mixing (the same arrays, not a copy), for
 * diagnostics that need each image alone. All views of a batch are mixed alike.
 */
public record Mix(Kind kind, int[] partnerIndices, int[] partnerLabels, float lambda, int[] partnerPositions,
                  float[][] unmixedViews) {
    public enum Kind { CUTMIX, MIXUP }
}
