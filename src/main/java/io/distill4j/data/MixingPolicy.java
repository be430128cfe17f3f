package io.distill4j.data;

import java.util.SplittableRandom;

/**
 * Which batches are mixed, and how ({@code data.mix}): {@code none}, {@code cutmix} or {@code mixup} (each batch
 * with {@code data.mix_probability}, lambda ~ Beta({@code data.mix_alpha})), or MKF's {@code compound}: no
 * mixing during the first {@code data.mix_warmup} fraction of the epochs (default 0.1), then per batch no mixing
 * with probability 0.5, else Mixup or CutMix with equal probability, lambda ~ Beta(1, 1) (for CutMix the kept
 * area). Every draw comes from the generator the loader derives from (seed, epoch, batch), so resume is exact.
 *
 * <p>A batch's partner images ({@code data.mix_partner}) are a permutation of the batch itself, or, with
 * {@code second_batch}, the images of a second, independently drawn batch: each step then draws 2B images, forwards
 * B mixed ones, or all 2B unmixed when the policy does not mix that step (during the warm-up, or by chance), so an
 * epoch still forwards every image once, in half the steps.
 */
public interface MixingPolicy {
    /** The batch, mixed or not, for the given epoch (0-based). */
    default HostBatch apply(HostBatch batch, int epoch, SplittableRandom rng) {
        return apply(batch, null, epoch, rng);
    }

    /**
     * The step's input for the given epoch: {@code batch} mixed with a permutation of itself or left alone when
     * {@code second} is null; else {@code batch} mixed with {@code second} (image i with image i) or, unmixed,
     * both batches in one.
     */
    default HostBatch apply(HostBatch batch, HostBatch second, int epoch, SplittableRandom rng) {
        // two batches of different sizes (a streamed image skipped as unreadable) are joined, not mixed
        boolean mixable = second == null || second.size() == batch.size();
        HostBatch mixed = epoch < firstMixedEpoch() || !mixable ? null : mix(batch, second, rng);
        if (mixed != null) {
            return mixed;
        }
        return second == null ? batch : HostBatch.concat(batch, second);
    }

    /** The first epoch (0-based) that mixes. */
    int firstMixedEpoch();

    /** The batch mixed (with {@code second}, else a permutation of itself), or null when this step is not mixed. */
    HostBatch mix(HostBatch batch, HostBatch second, SplittableRandom rng);

    /** The purpose string of the generator the loader derives per batch. */
    String purpose();

    /** The policy named {@code name}; null for {@code none}. */
    static MixingPolicy of(String name, double probability, double alpha, double warmup, int epochs) {
        int firstMixedEpoch = (int) Math.ceil(warmup * epochs - 1e-9);
        return switch (name) {
            case "none" -> null;
            case "cutmix" -> new Single("cutmix", firstMixedEpoch, new CutMix(probability, alpha)::apply);
            case "mixup" -> new Single("mix", firstMixedEpoch, new Mixup(probability, alpha)::apply);
            case "compound" -> new Compound(firstMixedEpoch);
            default -> throw new IllegalArgumentException("mixing policy " + name);
        };
    }

    /** One kind of mixing, from a given epoch on. */
    record Single(String purpose, int firstMixedEpoch, Mixer mixer) implements MixingPolicy {
        @Override
        public HostBatch mix(HostBatch batch, HostBatch second, SplittableRandom rng) {
            return mixer.apply(batch, second, rng);
        }
    }

    /** MKF's compound DataMix. */
    record Compound(int firstMixedEpoch) implements MixingPolicy {
        private static final CutMix CUTMIX = new CutMix(1.0, 1.0);
        private static final Mixup MIXUP = new Mixup(1.0, 1.0);

        @Override
        public String purpose() { return "mix"; }

        @Override
        public HostBatch mix(HostBatch batch, HostBatch second, SplittableRandom rng) {
            double u = rng.nextDouble();
            if (u < 0.5) {
                return null;
            }
            return u < 0.75 ? MIXUP.apply(batch, second, rng) : CUTMIX.apply(batch, second, rng);
        }
    }

    @FunctionalInterface
    interface Mixer {
        HostBatch apply(HostBatch batch, HostBatch second, SplittableRandom rng);
    }
}
