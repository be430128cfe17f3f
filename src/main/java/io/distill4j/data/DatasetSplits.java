package io.distill4j.data;

/** The training and test splits of a dataset. */
public record DatasetSplits(ImageDataset train, ImageDataset test) {
    public DatasetSplits {
        if (train.channels() != test.channels() || train.height() != test.height()
                || train.width() != test.width() || train.numClasses() != test.numClasses()) {
            throw new IllegalArgumentException("train and test splits of " + train.name() + " differ in shape");
        }
    }
}
