package io.distill4j.config;

import java.util.List;

/**
 * {@code data:} which dataset, where it is, which part of it trains, and how it is augmented.
 *
 * @param name         dataset name ({@code fashion-mnist-mini} is embedded in the jar)
 * @param root         folder holding the files, or null for the standard lookup
 * @param trainSubset  a seeded random subset of this many training samples, or null for all
 * @param subsetSeed   the seed of that subset (null: the run's seed), so runs of several seeds can share data
 * @param padCrop      zero padding before a random crop back to size (0 = no crop)
 * @param flip         random horizontal flips with probability 0.5
 * @param cutout       side of a random square set to zero after normalisation (0 = none)
 * @param imageSize    resize image-folder images to this side (0 = keep, all must match)
 * @param labelNoise   fraction of training labels replaced (seeded; 0 = clean)
 * @param labelNoiseType {@code symmetric} (a uniformly random other class) or {@code asymmetric} (class c to
 *                     {@code label_noise_mapping[c]}, default c+1 mod C)
 * @param mix          the mixing policy of training batches: {@code none}, {@code cutmix}, {@code mixup},
 *                     {@code compound} (MKF's; see {@code data.MixingPolicy}). {@code cutmix: p} (with
 *                     {@code cutmix_alpha}), the older form, means {@code mix: cutmix, mix_probability: p}
 * @param mixProbability probability that a batch is mixed ({@code cutmix}, {@code mixup})
 * @param mixAlpha     the Beta(alpha, alpha) of lambda ({@code cutmix}, {@code mixup})
 * @param mixWarmup    the fraction of the epochs trained before any mixing (default 0.1 for {@code compound},
 *                     else 0)
 * @param mixPartner   where a mixed image's partner comes from: {@code permutation} (the same batch, shuffled;
 *                     the default of cutmix and mixup) or {@code second_batch} (a second, independently drawn batch:
 *                     each step draws 2B images and forwards B mixed ones, or the 2B unmixed, so an epoch has half
 *                     the steps; the default of {@code compound}, as the MKF article mixes). Without mixing it
 *                     does nothing (so that a sweep's variant can turn mixing off)
 * @param labeledFraction semi-supervised: a seeded fraction of the training set keeps its labels; the rest
 *                     gives no cross-entropy (only methods' unsupervised terms, e.g. DML's mutual KL)
 * @param dropUnlabeled remove the unlabelled samples from the training set instead (the labelled-only control)
 * @param validation   hold out this many training samples (seeded, before any subset or label noise, so their
 *                     labels are clean) as a validation split that selects the best epoch; 0 = none, and then
 *                     "best" is selected on the test set (reports say so)
 * @param validationSplit {@code validation: split}: the dataset's own validation split selects the best epoch
 *                     instead of a hold-out (image-folder datasets with train/, val/ and test/)
 * @param validationSeed the seed of the hold-out (null: {@code subset_seed}, else the run's seed)
 * @param files        the keys of image folders and image lists: streaming, workers, the crop recipe, lists
 */
public record DataConfig(String name, String root, Integer trainSubset, Long subsetSeed, int padCrop, boolean flip, int cutout,
                         int imageSize, double labelNoise, String labelNoiseType, int[] labelNoiseMapping,
                         String mix, double mixProbability, double mixAlpha, double mixWarmup, String mixPartner,
                         double labeledFraction, boolean dropUnlabeled, int validation, boolean validationSplit,
                         Long validationSeed, ImageFilesConfig files) {
    public static final List<String> NAMES = List.of("fashion-mnist-mini", "fashion-mnist", "mnist", "cifar10",
            "cifar100", "image-folder", "image-list");

    static DataConfig from(ConfigNode n) {
        String name = n.choice("name", "fashion-mnist-mini", NAMES);
        String root = n.string("root", null);
        Long subset = n.optionalInteger("train_subset", 1, Integer.MAX_VALUE);
        Long subsetSeed = n.optionalInteger("subset_seed", 0, Long.MAX_VALUE);
        boolean mnistLike = name.equals("mnist");
        int padCrop = (int) n.integer("pad_crop", name.contains("mnist") ? 2 : 4, 0, 64);
        boolean flip = n.bool("flip", !mnistLike);
        int cutout = (int) n.integer("cutout", 0, 0, 1024);
        int imageSize = (int) n.integer("image_size", 0, 0, 4096);
        double noise = n.number("label_noise", 0, 0, 1);
        String noiseType = n.choice("label_noise_type", "symmetric", List.of("symmetric", "asymmetric"));
        List<Double> mapping = n.numbers("label_noise_mapping", List.of());
        int[] map = mapping.isEmpty() ? null : mapping.stream().mapToInt(Double::intValue).toArray();
        double cutmix = n.number("cutmix", 0, 0, 1);
        double cutmixAlpha = n.number("cutmix_alpha", 1.0, 1e-3, 1e3);
        String mix = n.choice("mix", "none", List.of("none", "cutmix", "mixup", "compound"));
        double probability = n.number("mix_probability", 1.0, 0, 1);
        double alpha = n.number("mix_alpha", 1.0, 1e-3, 1e3);
        double warmup = n.number("mix_warmup", mix.equals("compound") ? 0.1 : 0, 0, 1);
        String partner = n.choice("mix_partner", mix.equals("compound") ? "second_batch" : "permutation",
                List.of("permutation", "second_batch"));
        if (cutmix > 0) {
            if (!mix.equals("none")) {
                throw n.error("cutmix", "and data.mix: " + mix + " both given; use data.mix alone (cutmix: p is "
                        + "the older form of mix: cutmix, mix_probability: p)");
            }
            mix = "cutmix";
            probability = cutmix;
            alpha = cutmixAlpha;
        }

        double labeled = n.number("labeled_fraction", 1.0, 0, 1);
        boolean drop = n.bool("drop_unlabeled", false);
        boolean validationSplit = n.word("validation", "split");
        if (!validationSplit && n.has("validation") && !(n.raw("validation") instanceof Number)) {
            throw n.error("validation", "'" + n.raw("validation") + "' is neither a number of training samples to "
                    + "hold out nor 'split' (the dataset's own validation split)");
        }
        int validation = validationSplit ? 0 : (int) n.integer("validation", 0, 0, Integer.MAX_VALUE);
        Long validationSeed = n.optionalInteger("validation_seed", 0, Long.MAX_VALUE);
        return new DataConfig(name, root, subset == null ? null : subset.intValue(), subsetSeed, padCrop, flip, cutout, imageSize,
                noise, noiseType, map, mix, probability, alpha, warmup, partner, labeled, drop, validation, validationSplit, validationSeed,
                ImageFilesConfig.from(n));
    }
}
