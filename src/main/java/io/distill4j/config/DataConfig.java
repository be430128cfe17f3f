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
 * @param strongOps    views a method asks to be strong (MLKD's): RandAugment operations an image after the crop and
 *                     flip ({@code data.RandAugment})
 * @param strongCutout strong views: the largest side of the square filled with the mean gray, a fraction of the width
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
                         int strongOps, double strongCutout, int imageSize, double labelNoise, String labelNoiseType, int[] labelNoiseMapping,
                         String mix, double mixProbability, double mixAlpha, double mixWarmup, String mixPartner,
                         double labeledFraction, boolean dropUnlabeled, int validation, boolean validationSplit,
                         Long validationSeed, ImageFilesConfig files) {
    public static final List<String> NAMES = List.of("fashion-mnist-mini", "fashion-mnist", "mnist", "cifar10",
            "cifar100", "image-folder", "image-list");

    /** The keys of {@code data:} (with those of image files, {@link ImageFilesConfig#SECTION}). */
    public static final Section SECTION = Section.of("data", "which dataset, where it is, which part of it trains, "
                    + "and how it is augmented and mixed",
            Key.choice("name", "fashion-mnist-mini", NAMES, "the dataset (fashion-mnist-mini is embedded in the jar)"),
            Key.text("root", "none", "folder holding the files (none: the standard lookup)"),
            Key.integer("train_subset", "none", 1, Integer.MAX_VALUE, "a seeded random subset of this many training "
                    + "samples (none: all)"),
            Key.integer("subset_seed", "none", 0, Long.MAX_VALUE, "the seed of that subset (none: the run's seed)"),
            Key.integer("pad_crop", "2 on MNIST-like data, else 4", 0, 64, "zero padding before a random crop back "
                    + "to size (0: no crop)"),
            Key.bool("flip", "false on mnist, else true", "random horizontal flips with probability 0.5"),
            Key.integer("cutout", "0", 0, 1024, "side of a random square set to zero after normalisation (0: none)"),
            Key.integer("strong_ops", "2", 0, 14, "views a method asks to be strong (mlkd's): RandAugment "
                    + "operations an image after pad_crop and flip, drawn from FixMatch's fourteen at random magnitudes"),
            Key.number("strong_cutout", "0.5", 0, 1, "strong views: then a square of side up to this fraction of the "
                    + "width filled with the dataset's mean (0: none)"),
            Key.integer("image_size", "0", 0, 4096, "resize image-folder images to this side (0: keep, all must "
                    + "match)"),
            Key.number("label_noise", "0", 0, 1, "fraction of training labels replaced (seeded)"),
            Key.choice("label_noise_type", "symmetric", List.of("symmetric", "asymmetric"), "a uniformly random "
                    + "other class, or class c to label_noise_mapping[c] (default c+1 mod C)"),
            Key.numbers("label_noise_mapping", "[]", "asymmetric noise: the class each class's noisy labels become"),
            Key.number("cutmix", "0", 0, 1, "the older form of mix: cutmix with this mix_probability"),
            Key.number("cutmix_alpha", "1.0", 1e-3, 1e3, "the older form's Beta(alpha, alpha)"),
            Key.choice("mix", "none", List.of("none", "cutmix", "mixup", "compound"), "mixing of training batches "
                    + "(compound: MKF's, none for mix_warmup, then per batch none 1/2, Mixup 1/4, CutMix 1/4)"),
            Key.number("mix_probability", "1.0", 0, 1, "cutmix, mixup: probability that a batch is mixed"),
            Key.number("mix_alpha", "1.0", 1e-3, 1e3, "cutmix, mixup: lambda ~ Beta(alpha, alpha)"),
            Key.number("mix_warmup", "0.1 for compound, else 0", 0, 1, "fraction of the epochs before any mixing"),
            Key.choice("mix_partner", "second_batch for compound, else permutation",
                    List.of("permutation", "second_batch"), "a mixed image's partner: the batch itself shuffled, or a "
                    + "second batch drawn (B mixed images a step, an unmixed step both batches, half the steps)"),
            Key.number("labeled_fraction", "1.0", 0, 1, "semi-supervised: a seeded fraction of the training set "
                    + "keeps its labels"),
            Key.bool("drop_unlabeled", "false", "remove the unlabelled samples instead (the labelled-only control)"),
            Key.text("validation", "0", "hold out this many training samples to select the best epoch (0: none), "
                    + "or split: the dataset's own validation split"),
            Key.integer("validation_seed", "none", 0, Long.MAX_VALUE, "the seed of the hold-out (none: subset_seed, "
                    + "else the run's seed)"))
            .with(ImageFilesConfig.SECTION);

    static DataConfig from(ConfigNode n) {
        Section k = SECTION;
        String name = k.key("name").readChoice(n);
        String root = k.key("root").readText(n);
        Long subset = k.key("train_subset").readOptionalInteger(n);
        Long subsetSeed = k.key("subset_seed").readOptionalInteger(n);
        boolean mnistLike = name.equals("mnist");
        int padCrop = (int) k.key("pad_crop").readInteger(n, name.contains("mnist") ? 2 : 4);
        boolean flip = k.key("flip").readBool(n, !mnistLike);
        int cutout = (int) k.key("cutout").readInteger(n);
        int strongOps = (int) k.key("strong_ops").readInteger(n);
        double strongCutout = k.key("strong_cutout").readNumber(n);
        int imageSize = (int) k.key("image_size").readInteger(n);
        double noise = k.key("label_noise").readNumber(n);
        String noiseType = k.key("label_noise_type").readChoice(n);
        List<Double> mapping = k.key("label_noise_mapping").readNumbers(n, List.of());
        int[] map = mapping.isEmpty() ? null : mapping.stream().mapToInt(Double::intValue).toArray();
        double cutmix = k.key("cutmix").readNumber(n);
        double cutmixAlpha = k.key("cutmix_alpha").readNumber(n);
        String mix = k.key("mix").readChoice(n);
        double probability = k.key("mix_probability").readNumber(n);
        double alpha = k.key("mix_alpha").readNumber(n);
        double warmup = k.key("mix_warmup").readNumber(n, mix.equals("compound") ? 0.1 : 0);
        String partner = k.key("mix_partner").readChoice(n, mix.equals("compound") ? "second_batch" : "permutation");
        if (cutmix > 0) {
            if (!mix.equals("none")) {
                throw n.error("cutmix", "and data.mix: " + mix + " both given; use data.mix alone (cutmix: p is "
                        + "the older form of mix: cutmix, mix_probability: p)");
            }
            mix = "cutmix";
            probability = cutmix;
            alpha = cutmixAlpha;
        }
        double labeled = k.key("labeled_fraction").readNumber(n);
        boolean drop = k.key("drop_unlabeled").readBool(n);
        boolean validationSplit = n.word("validation", "split");
        if (!validationSplit && n.has("validation") && !(n.raw("validation") instanceof Number)) {
            throw n.error("validation", "'" + n.raw("validation") + "' is neither a number of training samples to "
                    + "hold out nor 'split' (the dataset's own validation split)");
        }
        int validation = validationSplit ? 0 : (int) n.integer("validation", 0, 0, Integer.MAX_VALUE);
        Long validationSeed = k.key("validation_seed").readOptionalInteger(n);
        return new DataConfig(name, root, subset == null ? null : subset.intValue(), subsetSeed, padCrop, flip, cutout,
                strongOps, strongCutout, imageSize, noise, noiseType, map, mix, probability, alpha, warmup, partner,
                labeled, drop, validation, validationSplit, validationSeed, ImageFilesConfig.from(n));
    }
}
