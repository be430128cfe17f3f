package io.distill4j.data;

import java.util.SplittableRandom;

/**
 * Which batches are mixed, and how ({@code data.mix}): {@code none}, {@code cutmix} or {@code mixup} (each batch
 * with {@code data.mix_probability}, lambda ~ Beta({@code data.mix_alpha})), or MKF's {@code compound}: no
 * mixing during the first {@code data.mix_warmup} fraction of the epochs (default 0.1), then per batch no mixing
 * with probability 0.5, else Mixup or CutMix with equal probability, lambda ~ Beta(1, 1) (for CutMix the kept
 * area). Every draw comes from the generator the loader derives from (seed, epoch, batch), so resume is exact.
 */
public interface MixingPolicy {
    /** The batch, mixed or not, for the given epoch (0-based). */
    HostBatch apply(HostBatch batch, int epoch, SplittableRandom rng);

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
        public HostBatch apply(HostBatch batch, int epoch, SplittableRandom rng) {
            return epoch < firstMixedEpoch ? batch : mixer.apply(batch, rng);
        }
    }

    /** MKF's compound DataMix. */
    record Compound(int firstMixedEpoch) implements MixingPolicy {
        private static final CutMix CUTMIX = new CutMix(1.0, 1.0);
        private static final Mixup MIXUP = new Mixup(1.0, 1.0);

        @Override
        public String purpose() { return "mix"; }

        @Override
        public HostBatch apply(HostBatch batch, int epoch, SplittableRandom rng) {
            if (epoch < firstMixedEpoch) {
                return batch;
            }
            double u = rng.nextDouble();
            if (u < 0.5) {
                return batch;
            }
            return u < 0.75 ? MIXUP.apply(batch, rng) : CUTMIX.apply(batch, rng);
        }
    }

    @FunctionalInterface
    interface Mixer {
        HostBatch apply(HostBatch batch, SplittableRandom rng);
    }
}
