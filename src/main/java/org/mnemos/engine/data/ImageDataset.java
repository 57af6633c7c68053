package org.mnemos.engine.data;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

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
            throw new IllegalArgumentException("pixels has " + pixels.length + " bytes, expected " + expected + " for "
                    + labels.length + " images of " + height + "x" + width + "x" + channels);
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

    /** The images at {@code indices}, in that order (indices may repeat). */
    public ImageDataset subset(int[] indices) {
        int bytes = imageBytes();
        byte[] selectedPixels = new byte[Math.multiplyExact(indices.length, bytes)];
        int[] selectedLabels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int index = indices[i];
            if (index < 0 || index >= labels.length) {
                throw new IndexOutOfBoundsException("image index " + index + " outside 0.." + (labels.length - 1));
            }
            System.arraycopy(pixels, index * bytes, selectedPixels, i * bytes, bytes);
            selectedLabels[i] = labels[index];
        }
        return new ImageDataset(name, selectedPixels, selectedLabels, height, width, channels, classNames);
    }

    /** The data-set indices of all images whose label is in {@code wanted}, ascending. */
    public int[] indicesOfLabels(Collection<Integer> wanted) {
        Set<Integer> lookup = new HashSet<>(wanted);
        return IntStream.range(0, labels.length)
                .filter(i -> lookup.contains(labels[i]))
                .toArray();
    }

    /** All images whose label is in {@code wanted}, in data-set order. */
    public ImageDataset withLabels(Collection<Integer> wanted) {
        return subset(indicesOfLabels(wanted));
    }
}
