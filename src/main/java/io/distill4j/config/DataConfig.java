package io.distill4j.config;

import java.util.List;

/**
 * {@code data:} which dataset, where it is, which part of it trains, and how it is augmented.
 *
 * @param name         dataset name ({@code fashion-mnist-mini} is embedded in the jar)
 * @param root         folder holding the files, or null for the standard lookup
 * @param trainSubset  a seeded random subset of this many training samples, or null for all
 * @param padCrop      zero padding before a random crop back to size (0 = no crop)
 * @param flip         random horizontal flips with probability 0.5
 * @param cutout       side of a random square set to zero after normalisation (0 = none)
 * @param imageSize    resize image-folder images to this side (0 = keep, all must match)
 */
public record DataConfig(String name, String root, Integer trainSubset, int padCrop, boolean flip, int cutout,
                         int imageSize) {
    public static final List<String> NAMES =
            List.of("fashion-mnist-mini", "fashion-mnist", "mnist", "cifar10", "cifar100", "image-folder");

    static DataConfig from(ConfigNode n) {
        String name = n.choice("name", "fashion-mnist-mini", NAMES);
        String root = n.string("root", null);
        Long subset = n.optionalInteger("train_subset", 1, Integer.MAX_VALUE);
        boolean mnistLike = name.equals("mnist");
        int padCrop = (int) n.integer("pad_crop", name.contains("mnist") ? 2 : 4, 0, 64);
        boolean flip = n.bool("flip", !mnistLike);
        int cutout = (int) n.integer("cutout", 0, 0, 1024);
        int imageSize = (int) n.integer("image_size", 0, 0, 4096);
        return new DataConfig(name, root, subset == null ? null : subset.intValue(), padCrop, flip, cutout, imageSize);
    }
}
