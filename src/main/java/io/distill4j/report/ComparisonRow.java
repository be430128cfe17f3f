package io.distill4j.report;

/**
 * One network of one variant in the comparison: mean ± std over its runs of each score (fractions), the compared
 * score's paired difference to the reference (null for the reference itself, or where nothing pairs), and its
 * cost: mean training seconds and throughput, and both relative to the reference (NaN where unknown).
 */
public record ComparisonRow(Variant variant, String network, String arch, MeanStd best, MeanStd last,
                            MeanStd lastTrain, MeanStd compared, String referenceNetwork,
                            PairedDifference paired, double trainSeconds, double imagesPerSec, double timeRatio,
                            double backpropRatio) {

    public String label() {
        return variant.name() + " / " + network;
    }
}
