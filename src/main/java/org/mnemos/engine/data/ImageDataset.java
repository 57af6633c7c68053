package org.mnemos.engine.data;

import java.util.List;

/**
 * One split of an image data set held as raw bytes: {@code pixels} is {@code size × height × width ×
 * channels} uint8 in row-major HWC order (the layout of the official files), {@code labels} holds
 * the original label of each image. The index of an image in this split is its data-set index, the
 * one exemplar manifests refer to.
 */
public record ImageDataset(
        String name, byte[] pixels, int[] labels, int height, int width, int channels, List<String> classNames) {

    public ImageDataset {
        long expected = (long) labels.length * height * width * channels;
        if (pixels.length != expected) {
            throw new IllegalArgumentException(
                    "pixels has " + pixels.length + " bytes, expected " + expected + " for " + labels.length
                            + " images of " + height + "x" + width + "x" + channels);
        }
    }

    public int size() {
        return labels.length;
    }

    public int imageBytes() {
        return height * width * channels;
    }

    public int numClasses() {
        return classNames.size();
    }
}
