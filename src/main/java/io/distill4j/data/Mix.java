package io.distill4j.data;

/**
 * How a batch was mixed: the kind, each sample's partner (its dataset index, so a method can look up both
 * images' knowledge, and its label), and lambda, the weight of the sample's own image and label (for CutMix
 * the area it keeps). All views of a batch are mixed alike.
 */
public record Mix(Kind kind, int[] partnerIndices, int[] partnerLabels, float lambda) {
    public enum Kind { CUTMIX, MIXUP }
}
