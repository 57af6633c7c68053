package org.mnemos.engine.data;

/** The train and test split of one data set; both share shape and class names. */
public record DatasetSplits(ImageDataset train, ImageDataset test) {

    public int numClasses() {
        return train.numClasses();
    }
}
