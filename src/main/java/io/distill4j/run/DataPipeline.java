package io.distill4j.run;

import io.distill4j.config.DataConfig;
import io.distill4j.config.RunConfig;
import io.distill4j.data.Augmenter;
import io.distill4j.data.BatchLoader;
import io.distill4j.data.DatasetSplits;
import io.distill4j.data.Datasets;
import io.distill4j.data.ImageDataset;
import io.distill4j.data.ImageRecipe;
import io.distill4j.data.LabelNoise;
import io.distill4j.data.MixingPolicy;
import io.distill4j.data.Normalization;
import io.distill4j.data.Subsets;
import io.distill4j.util.Seeds;

import java.util.Arrays;
import java.util.Set;

/**
 * A run's data, from {@code data:} to the loaders: the dataset's splits, the validation split (its own, or held
 * out of the training set first, so that the subset and the label noise concern the rest only), the training
 * subset, injected label noise, the labelled mask of a semi-supervised run, the normalisation and the
 * augmentation.
 *
 * @param labelNoise the injected noise (which samples, their true labels), or null for clean labels
 * @param labelled   which training samples keep their label, or null when all do
 */
public record DataPipeline(ImageDataset train, ImageDataset validation, ImageDataset test, LabelNoise.Result labelNoise,
                    boolean[] labelled, Normalization normalization, Augmenter augmenter) {

    /** The loaders of a run: training (shuffled, augmented, mixed, {@code views} views), test and validation. */
    public record Loaders(BatchLoader train, BatchLoader test, BatchLoader validation) {}

    public static DataPipeline build(RunConfig cfg) {
        DataConfig d = cfg.data();
        DatasetSplits splits = Datasets.load(d);
        ImageDataset train = splits.train();
        ImageDataset validation = null;
        if (d.validationSplit()) {
            validation = splits.validation();
            if (validation == null) {
                throw cfg.root().child("data").error("validation", "split: " + d.name() + " has no validation split of"
                        + " its own (an image-folder dataset with train/, val/ and test/ has one); hold N training "
                        + "samples out instead with data.validation: N");
            }
        } else if (d.validation() > 0) { // held out first: the subset and the label noise concern the rest only
            if (d.validation() >= train.size()) {
                throw cfg.root().child("data").error("validation", d.validation() + " leaves no training samples of "
                        + "the " + train.size() + " of " + d.name() + " (hold out fewer)");
            }
            long vs = d.validationSeed() != null ? d.validationSeed() : d.subsetSeed() != null ? d.subsetSeed() : cfg.seed();
            int[][] parts = Subsets.holdOut(train.size(), d.validation(), vs);
            validation = train.select(parts[0], train.name() + "-validation" + d.validation());
            train = train.select(parts[1], train.name() + "-train");
        }
        if (d.trainSubset() != null) {
            if (d.trainSubset() > train.size()) {
                throw cfg.root().child("data").error("train_subset", d.trainSubset() + " is more than the "
                        + train.size() + " training samples of " + d.name());
            }
            long subsetSeed = d.subsetSeed() != null ? d.subsetSeed() : cfg.seed();
            train = train.select(Subsets.randomSubset(train.size(), d.trainSubset(), subsetSeed),
                    train.name() + "-subset" + d.trainSubset());
        }
        LabelNoise.Result noise = null;
        if (d.labelNoise() > 0) {
            int[] map = d.labelNoiseMapping();
            int classes = train.numClasses();
            if (map != null && (map.length != classes || Arrays.stream(map).anyMatch(c -> c < 0 || c >= classes))) {
                throw cfg.root().child("data").error("label_noise_mapping", "needs " + train.numClasses()
                        + " class indices in 0.." + (train.numClasses() - 1));
            }
            noise = LabelNoise.apply(train, d.labelNoise(), d.labelNoiseType(), map, cfg.seed());
            train = noise.dataset();
        }
        boolean[] labelled = null;
        if (d.labeledFraction() < 1) {
            int k = (int) Math.round(d.labeledFraction() * train.size());
            int[] keep = Subsets.randomSubset(train.size(), k, Seeds.derive(cfg.seed(), 0x1abe1));
            if (d.dropUnlabeled()) {
                train = train.select(keep, train.name() + "-labelled");
            } else {
                labelled = new boolean[train.size()];
                for (int i : keep) {
                    labelled[i] = true;
                }
            }
        }
        Normalization norm = Datasets.normalization(d.name(), train);
        return new DataPipeline(train, validation, splits.test(), noise, labelled, norm, augmenter(d, train, norm, false));
    }

    /** The training augmentation of {@code data:}; {@code strong} adds its RandAugment stage (strong views). */
    private static Augmenter augmenter(DataConfig d, ImageDataset train, Normalization norm, boolean strong) {
        Augmenter.Builder aug = Augmenter.builder(norm);
        boolean resizedCrop = train.streamed() && d.files().crop().equals(ImageRecipe.RANDOM_RESIZED);
        if (d.padCrop() > 0 && !resizedCrop) { // a random-resized crop replaces padding and cropping
            aug.padCrop(d.padCrop());
        }
        if (d.flip()) {
            aug.horizontalFlip(0.5);
        }
        if (d.cutout() > 0) {
            aug.cutout(d.cutout());
        }
        if (strong) {
            aug.randAugment(d.strongOps(), d.strongCutout());
        }
        return aug.build();
    }

    /** The loaders, the training one making {@code views} augmented views of each batch. */
    public Loaders loaders(RunConfig cfg, int views) {
        return loaders(cfg, views, Set.of());
    }

    /**
     * The loaders, the training one making {@code views} augmented views of each batch, those in
     * {@code strongViews} by the strong augmentation ({@code data.strong_ops}, {@code data.strong_cutout}).
     */
    public Loaders loaders(RunConfig cfg, int views, Set<Integer> strongViews) {
        DataConfig d = cfg.data();
        BatchLoader trainLoader = new BatchLoader(train, cfg.train().batchSize(), true, true, augmenter, views,
                cfg.seed());
        if (!strongViews.isEmpty()) {
            trainLoader.withStrongViews(augmenter(d, train, normalization, true), strongViews);
        }
        MixingPolicy mixing = MixingPolicy.of(d.mix(), d.mixProbability(), d.mixAlpha(), d.mixWarmup(),
                cfg.train().epochs());
        trainLoader.withMixing(mixing, mixing != null && d.mixPartner().equals("second_batch"))
                .withWorkers(d.files().threads(), d.files().prefetch());
        if (trainLoader.batchesPerEpoch() == 0) {
            throw cfg.root().child("train").error("batch_size", cfg.train().batchSize()
                    + " is larger than the " + train.size() + " training samples"
                    + (trainLoader.mixesTwoBatches() ? " can fill twice (data.mix_partner: second_batch draws two "
                    + "batches a step)" : ""));
        }
        return new Loaders(trainLoader, evalLoader(cfg, test), validation == null ? null : evalLoader(cfg, validation));
    }

    /** Unaugmented batches of {@code split} in order, as evaluation reads them. */
    BatchLoader evalLoader(RunConfig cfg, ImageDataset split) {
        return evalLoader(cfg, split, normalization);
    }

    /**
     * Unaugmented batches of any split in order, normalised by {@code norm}: the one way evaluation, eval of
     * exported models and the analyses read data, so the config's batch size and decoding workers apply to all.
     */
    public static BatchLoader evalLoader(RunConfig cfg, ImageDataset split, Normalization norm) {
        return new BatchLoader(split, cfg.train().evalBatchSize(), false, false, Augmenter.none(norm), 1,
                cfg.seed()).withWorkers(cfg.data().files().threads(), cfg.data().files().prefetch());
    }
}
