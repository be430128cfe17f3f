package io.distill4j.data;

/**
 * The splits of a dataset: training and test, and the dataset's own validation split where it has one (null
 * otherwise; {@code data.validation: split} uses it, {@code data.validation: N} holds N out of training instead).
 */
public record DatasetSplits(ImageDataset train, ImageDataset test, ImageDataset validation) {
    public DatasetSplits {
        for (ImageDataset other : validation == null ? new ImageDataset[] {test} : new ImageDataset[] {test, validation}) {
            if (train.channels() != other.channels() || train.height() != other.height()
                    || train.width() != other.width() || train.numClasses() != other.numClasses()) {
                throw new IllegalArgumentException("the splits of " + train.name() + " differ in shape");
            }
        }
    }

    public DatasetSplits(ImageDataset train, ImageDataset test) {
        this(train, test, null);
    }
}
