package io.distill4j.report;

import io.distill4j.UserError;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Every variant's networks against a reference variant. The compared score is the test top-1 at the selected
 * epoch when every run selected it on a validation split; otherwise the last epoch's (an epoch chosen on the test
 * set flatters the runs that fluctuate most). A network is paired with the reference's network of the same
 * name, else with the reference's only network (a baseline's student against each peer, the peers' mean and the
 * ensemble of an online method).
 */
public record Comparison(String reference, Score score, MeanInterval.Kind interval, List<ComparisonRow> rows,
                         List<String> notes) {

    public enum Score {
        SELECTED("selected top-1", "the test top-1 at the epoch selected on the validation split"),
        LAST("last top-1", "the last epoch's test top-1 (best epochs were chosen on the test set: optimistic)");

        private final String label;
        private final String meaning;

        Score(String label, String meaning) {
            this.label = label;
            this.meaning = meaning;
        }

        public String label() {
            return label;
        }

        public String meaning() {
            return meaning;
        }

        double of(NetworkResult n) {
            return this == SELECTED ? n.bestTop1() : n.lastTop1();
        }
    }

    /** {@code reference} may be null (no paired columns); {@code namedBy} says where it was named, for errors. */
    public static Comparison of(Experiment experiment, String reference, String namedBy) {
        return of(experiment, reference, namedBy, MeanInterval.Kind.T);
    }

    /**
     * As {@link #of(Experiment, String, String)}, with paired intervals of {@code interval}'s kind where the pairs
     * allow it (a bootstrap needs {@value MeanInterval#BOOTSTRAP_MIN_PAIRS}; fewer pairs get a t-interval, noted).
     */
    public static Comparison of(Experiment experiment, String reference, String namedBy, MeanInterval.Kind interval) {
        Variant ref = null;
        if (reference != null) {
            ref = experiment.variant(reference);
            if (ref == null) {
                throw new UserError(namedBy + " " + reference + ": no such variant; variants: "
                        + experiment.variants().stream().map(Variant::name).collect(Collectors.joining(", ")));
            }
        }
        boolean allValidation = experiment.variants().stream().flatMap(v -> v.runs().stream())
                .allMatch(r -> r.selection() == Selection.VALIDATION);
        Score score = allValidation ? Score.SELECTED : Score.LAST;
        List<ComparisonRow> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Variant v : experiment.variants()) {
            List<String> unseeded = v.runs().stream().filter(r -> r.seed() == null).map(RunResult::name).toList();
            boolean seeded = unseeded.size() < v.runs().size();
            if (ref != null && v != ref && !unseeded.isEmpty()) {
                notes.add(v.name() + ": " + String.join(", ", unseeded) + " without a seed (no -seedN in the folder "
                        + "name, no seed in summary.json): not paired");
            }
            if (ref != null && v != ref && !Objects.equals(costBasis(v), costBasis(ref))) {
                notes.add(v.name() + ": time not compared with " + ref.name() + " (recorded training time in one, "
                        + "wall clock with evaluation in the other)");
            }
            boolean droppedNoted = false;
            boolean unverifiedNoted = false;
            for (RunResult r : v.runs()) {
                if (Machines.changedCpu(r)) {
                    notes.add(r.name() + ": resumed on another CPU than it started on (forced with --allow-other-cpu): "
                            + r.machines().stream().map(Machines::describe).distinct()
                            .collect(Collectors.joining(", then ")));
                }
            }
            for (String net : v.networks()) {
                String refNet = ref == null || v == ref || !seeded ? null : referenceNetwork(ref, net);
                PairedDifference paired = null;
                if (refNet != null) {
                    paired = PairedDifference.of(bySeed(v.runs(), net, score), bySeed(ref.runs(), refNet, score), ref.name(),
                            interval);
                    if (interval == MeanInterval.Kind.BOOTSTRAP && paired.n() >= 2
                            && paired.interval().kind() != interval) {
                        notes.add(v.name() + " / " + net + ": " + paired.n() + " pairs, fewer than the "
                                + MeanInterval.BOOTSTRAP_MIN_PAIRS + " a bootstrap interval needs (its interval cannot "
                                + "be wider than the pairs' range): Student's t interval instead");
                    }
                    List<Integer> crossCpu = new ArrayList<>();
                    List<Integer> unverified = new ArrayList<>();
                    for (int seed : paired.seeds()) {
                        Boolean same = Machines.sameCpu(runOf(v, seed), runOf(ref, seed));
                        if (same == null) {
                            unverified.add(seed);
                        } else if (!same) {
                            crossCpu.add(seed);
                        }
                    }
                    paired = paired.withCrossCpu(crossCpu);
                    if (!crossCpu.isEmpty()) {
                        notes.add(v.name() + " / " + net + ": seed" + (crossCpu.size() > 1 ? "s " : " ")
                                + crossCpu.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " ran on "
                                + Machines.describe(runOf(v, crossCpu.get(0)).machine()) + ", " + ref.name()
                                + " on " + Machines.describe(runOf(ref, crossCpu.get(0)).machine())
                                + ": pairing by seed does not remove a machine difference (the same config and seed "
                                + "differ by tenths of a point between CPUs)");
                    } else if (!unverified.isEmpty() && !unverifiedNoted) {
                        notes.add(v.name() + " and " + ref.name() + ": the CPUs' kernels of " + unverified.size()
                                + " pair" + (unverified.size() > 1 ? "s" : "") + " were not recorded (runs from before "
                                + "runs recorded their machine): that both ran on one CPU is not verified");
                        unverifiedNoted = true;
                    }
                    if (!paired.dropped().isEmpty() && !droppedNoted) {
                        notes.add(v.name() + ": seed" + (paired.dropped().size() > 1 ? "s " : " ")
                                + paired.dropped().stream().map(String::valueOf).collect(Collectors.joining(", "))
                                + " not in both " + v.name() + " and " + ref.name() + ": dropped from the paired comparison");
                        droppedNoted = true;
                    }
                } else if (ref != null && v != ref && seeded) {
                    notes.add(v.name() + " / " + net + ": " + ref.name() + " has no network " + net
                            + " and more than one network: not paired");
                }
                List<NetworkResult> results = v.runs().stream().map(r -> r.networks().get(net))
                        .filter(Objects::nonNull).toList();
                double seconds = meanOf(v.runs(), r -> r.cost().trainSeconds());
                double backprop = meanOf(v.runs(), r -> r.cost().imagesBackpropagated());
                // recorded training seconds exclude evaluation, an old run's wall clock does not: never divide one
                // by the other
                boolean sameBasis = ref != null && costBasis(v) != null && costBasis(v).equals(costBasis(ref));
                double timeRatio = sameBasis ? seconds / meanOf(ref.runs(), r -> r.cost().trainSeconds()) : Double.NaN;
                double backpropRatio = ref == null ? Double.NaN
                        : backprop / meanOf(ref.runs(), r -> r.cost().imagesBackpropagated());
                rows.add(new ComparisonRow(v, net, results.get(0).arch(), stats(results, NetworkResult::bestTop1),
                        stats(results, NetworkResult::lastTop1), stats(results, NetworkResult::lastTrainTop1), stats(results, score::of), refNet, paired,
                        seconds, meanOf(v.runs(), r -> r.cost().imagesPerSec()), timeRatio, backpropRatio));
            }
        }
        return new Comparison(reference, score, interval, List.copyOf(rows), List.copyOf(notes));
    }

    private static RunResult runOf(Variant v, int seed) {
        return v.runs().stream().filter(r -> r.seed() != null && r.seed() == seed).findFirst().orElseThrow();
    }

    /** "recorded" when every run recorded its cost, "wall clock" when none did, null when mixed. */
    private static String costBasis(Variant v) {
        long recorded = v.runs().stream().filter(r -> r.cost().recorded()).count();
        return recorded == v.runs().size() ? "recorded" : recorded == 0 ? "wall clock" : null;
    }

    private static String referenceNetwork(Variant ref, String network) {
        var names = ref.networks();
        if (names.contains(network)) {
            return network;
        }
        return names.size() == 1 ? names.iterator().next() : null;
    }

    private static Map<Integer, Double> bySeed(List<RunResult> runs, String network, Score score) {
        Map<Integer, Double> m = new TreeMap<>();
        for (RunResult r : runs) {
            NetworkResult n = r.networks().get(network);
            if (r.seed() != null && n != null) {
                m.put(r.seed(), score.of(n));
            }
        }
        return m;
    }

    private static MeanStd stats(Collection<NetworkResult> results, ToDoubleFunction<NetworkResult> f) {
        return MeanStd.of(results.stream().mapToDouble(f).toArray());
    }

    /** Mean over runs of a cost that every run recorded; NaN if any did not (a partial mean would mislead). */
    private static double meanOf(List<RunResult> runs, ToDoubleFunction<RunResult> f) {
        double[] xs = runs.stream().mapToDouble(f).toArray();
        for (double x : xs) {
            if (!Double.isFinite(x)) {
                return Double.NaN;
            }
        }
        return MeanStd.of(xs).mean();
    }

    public boolean hasReference() {
        return reference != null;
    }
}
