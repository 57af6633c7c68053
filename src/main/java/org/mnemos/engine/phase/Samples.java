package org.mnemos.engine.phase;

import java.util.Arrays;

/**
 * Images on the host waiting to be uploaded for a stage: HWC uint8 pixels and incremental labels
 * (the position of each image's class in the run's class order). {@code values}, when not null,
 * holds float intensities in pixel scale for every image (optimised exemplars among them); the
 * stage then trains on those instead of the uint8 pixels.
 */
public record Samples(byte[] pixels, int[] labels, int imageBytes, float[] values) {

    public Samples(byte[] pixels, int[] labels, int imageBytes) {
        this(pixels, labels, imageBytes, null);
    }

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
        if (values == null && other.values == null) {
            return new Samples(pixels, labels, imageBytes);
        }
        float[] joined = new float[pixels.length];
        System.arraycopy(floatValues(), 0, joined, 0, this.pixels.length);
        System.arraycopy(other.floatValues(), 0, joined, this.pixels.length, other.pixels.length);
        return new Samples(pixels, labels, imageBytes, joined);
    }

    public Samples subset(int[] indices) {
        byte[] pixels = new byte[indices.length * imageBytes];
        int[] labels = new int[indices.length];
        float[] picked = values == null ? null : new float[indices.length * imageBytes];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(this.pixels, indices[i] * imageBytes, pixels, i * imageBytes, imageBytes);
            if (picked != null) {
                System.arraycopy(values, indices[i] * imageBytes, picked, i * imageBytes, imageBytes);
            }
            labels[i] = this.labels[indices[i]];
        }
        return new Samples(pixels, labels, imageBytes, picked);
    }

    /** Intensities as floats in pixel scale: {@code values}, or the uint8 pixels widened. */
    public float[] floatValues() {
        if (values != null) {
            return values;
        }
        float[] widened = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            widened[i] = pixels[i] & 0xff;
        }
        return widened;
    }

    /** Positions of the images whose incremental label lies in [from, to). */
    public int[] indicesOfLabels(int from, int to) {
        return java.util.stream.IntStream.range(0, labels.length)
                .filter(i -> labels[i] >= from && labels[i] < to)
                .toArray();
    }
}
