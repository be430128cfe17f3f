package io.distill4j.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A variant against the reference on one score, seed by seed: runs of the two with the same seed form a pair
 * and their difference (in points of top-1) is one observation. Seeds only one side has, or where either score
 * was never measured, are dropped and listed. Summarised by the mean difference, its 95% interval (Student's t
 * with n - 1 degrees of freedom; a percentile bootstrap on request from 10 pairs), the sign-flip test's p and the
 * verdict (in full, and in brief for table cells).
 */
public record PairedDifference(List<Integer> seeds, List<Double> differences, List<Integer> dropped,
                               MeanStd stats, MeanInterval interval, SignFlipTest test, String verdict,
                               String brief, List<Integer> crossCpuSeeds) {

    /**
     * These pairs with the seeds whose two runs ran on different CPUs: the verdict says so (pairing by seed does not
     * remove a machine difference).
     */
    public PairedDifference withCrossCpu(List<Integer> seedsOnTwoCpus) {
        if (seedsOnTwoCpus.isEmpty()) {
            return this;
        }
        String said = verdict + "; " + seedsOnTwoCpus.size() + " of the " + n() + " pairs ran on two different CPUs: "
                + "pairing by seed does not remove a machine difference";
        return new PairedDifference(seeds, differences, dropped, stats, interval, test, said, brief,
                List.copyOf(seedsOnTwoCpus));
    }

    /** Scores are fractions in [0, 1] keyed by seed; differences come out in points (x 100). */
    public static PairedDifference of(Map<Integer, Double> variant, Map<Integer, Double> reference,
                                      String referenceName) {
        return of(variant, reference, referenceName, MeanInterval.Kind.T);
    }

    /** As {@link #of(Map, Map, String)}, with the interval {@code kind} where the pairs allow it. */
    public static PairedDifference of(Map<Integer, Double> variant, Map<Integer, Double> reference,
                                      String referenceName, MeanInterval.Kind kind) {
        Map<Integer, Double> pairs = new TreeMap<>();
        TreeSet<Integer> dropped = new TreeSet<>();
        TreeSet<Integer> all = new TreeSet<>(variant.keySet());
        all.addAll(reference.keySet());
        for (int seed : all) {
            Double v = variant.get(seed);
            Double r = reference.get(seed);
            if (v != null && r != null && Double.isFinite(v) && Double.isFinite(r)) {
                pairs.put(seed, 100 * (v - r));
            } else {
                dropped.add(seed);
            }
        }
        double[] d = pairs.values().stream().mapToDouble(Double::doubleValue).toArray();
        MeanStd stats = MeanStd.of(d);
        MeanInterval ci = MeanInterval.of(d, kind);
        SignFlipTest test = SignFlipTest.of(d);
        return new PairedDifference(List.copyOf(pairs.keySet()), List.copyOf(pairs.values()),
                new ArrayList<>(dropped), stats, ci, test, Verdict.of(referenceName, stats.mean(), ci, test),
                Verdict.brief(stats.mean(), ci, test), List.of());
    }

    public int n() {
        return seeds.size();
    }
}
