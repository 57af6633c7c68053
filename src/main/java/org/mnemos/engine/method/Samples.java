package org.mnemos.engine.method;

import java.util.Arrays;

/**
 * Images on the host waiting to be uploaded for a stage: HWC uint8 pixels and incremental labels
 * (the position of each image's class in the run's class order).
 */
public record Samples(byte[] pixels, int[] labels, int imageBytes) {

    public static Samples empty(int imageBytes) {
        return new Samples(new byte[0], new int[0], imageBytes);
    }

    public int size() {
        return labels.length;
    }

    public Samples concat(Samples other) {
        byte[] pixels = Arrays.copyOf(this.pixels, this.pixels.length + other.pixels.length);
        System.arraycopy(other.pixels, 0, pixels, this.pixels.length, other.pixels.length);
        int[] labels = Arrays.copyOf(this.labels, this.labels.length + other.labels.length);
        System.arraycopy(other.labels, 0, labels, this.labels.length, other.labels.length);
        return new Samples(pixels, labels, imageBytes);
    }

    public Samples subset(int[] indices) {
        byte[] pixels = new byte[indices.length * imageBytes];
        int[] labels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(this.pixels, indices[i] * imageBytes, pixels, i * imageBytes, imageBytes);
            labels[i] = this.labels[indices[i]];
        }
        return new Samples(pixels, labels, imageBytes);
    }

    /** Positions of the images whose incremental label lies in [from, to). */
    public int[] indicesOfLabels(int from, int to) {
        return java.util.stream.IntStream.range(0, labels.length)
                .filter(i -> labels[i] >= from && labels[i] < to)
                .toArray();
    }
}
