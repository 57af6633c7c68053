package org.mnemos.engine.memory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The exemplar memory after a phase: images HWC (like {@link org.mnemos.engine.data.ImageDataset})
 * with their original labels, the index of each image in the training split it came from (-1 for
 * images a method synthesised) and their kind.
 *
 * <p>{@code pixels} always holds the uint8 view. When the memory holds optimised exemplars at a float
 * {@code storage}, {@code values} holds the exact intensities (pixel scale, [0, 255] nominal, HWC,
 * already quantised to the storage precision) and is what training reads; otherwise it is null.
 */
public record ExemplarSet(
        byte[] pixels,
        int[] labels,
        int[] sourceIndices,
        ExemplarKind[] kinds,
        int height,
        int width,
        int channels,
        float[] values,
        ExemplarStorage storage) {

    public static final String FILE_NAME = "exemplars.bin";
    private static final int MAGIC_UINT8 = 0x4d4e4558; // "MNEX": the uint8-only format of earlier versions
    private static final int MAGIC = 0x4d4e5832; // "MNX2": adds the storage precision and exact values

    public ExemplarSet {
        if (values != null && values.length != pixels.length) {
            throw new IllegalArgumentException("values has " + values.length + " entries, pixels " + pixels.length);
        }
        if ((values != null) == (storage == ExemplarStorage.UINT8)) {
            throw new IllegalArgumentException("float values go with a float storage, got " + storage);
        }
    }

    /** A uint8 memory of stored images. */
    public ExemplarSet(byte[] pixels, int[] labels, int[] sourceIndices, ExemplarKind[] kinds, int height, int width, int channels) {
        this(pixels, labels, sourceIndices, kinds, height, width, channels, null, ExemplarStorage.UINT8);
    }

    public static ExemplarSet empty(int height, int width, int channels) {
        return new ExemplarSet(new byte[0], new int[0], new int[0], new ExemplarKind[0], height, width, channels);
    }

    /**
     * The same exemplars with new intensities at {@code storage}: quantised to it, the uint8 view
     * rounded and clipped from them.
     */
    public ExemplarSet withValues(float[] newValues, ExemplarKind[] newKinds, ExemplarStorage storage) {
        byte[] view = new byte[newValues.length];
        float[] held = storage == ExemplarStorage.UINT8 ? null : new float[newValues.length];
        for (int i = 0; i < newValues.length; i++) {
            float value = storage.quantise(newValues[i]);
            view[i] = ExemplarStorage.toByte(value);
            if (held != null) {
                held[i] = value;
            }
        }
        return new ExemplarSet(view, labels, sourceIndices, newKinds, height, width, channels, held, storage);
    }

    /** Intensities as floats in pixel scale: the exact values, or the uint8 pixels widened. */
    public float[] floatValues() {
        if (values != null) {
            return values.clone();
        }
        float[] widened = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            widened[i] = pixels[i] & 0xff;
        }
        return widened;
    }

    public int size() {
        return labels.length;
    }

    public int imageBytes() {
        return height * width * channels;
    }

    /** Memory as the literature accounts it: the bytes of the stored images at their precision. */
    public long memoryBytes() {
        return (long) pixels.length * storage.bytesPerValue();
    }

    public void write(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(MAGIC);
            out.writeInt(size());
            out.writeInt(height);
            out.writeInt(width);
            out.writeInt(channels);
            out.writeByte(storage.ordinal());
            for (int i = 0; i < size(); i++) {
                out.writeInt(labels[i]);
                out.writeInt(sourceIndices[i]);
                out.writeByte(kinds[i].ordinal());
            }
            out.write(pixels);
            if (storage == ExemplarStorage.FLOAT32) {
                for (float v : values) {
                    out.writeFloat(v);
                }
            } else if (storage == ExemplarStorage.FLOAT16) {
                for (float v : values) {
                    out.writeShort(ExemplarStorage.floatToHalf(v));
                }
            }
        }
    }

    public static ExemplarSet read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int magic = in.readInt();
            if (magic != MAGIC && magic != MAGIC_UINT8) {
                throw new IOException(file + " is not an exemplar file");
            }
            int n = in.readInt();
            int h = in.readInt();
            int w = in.readInt();
            int c = in.readInt();
            ExemplarStorage storage = magic == MAGIC ? ExemplarStorage.values()[in.readUnsignedByte()] : ExemplarStorage.UINT8;
            int[] labels = new int[n];
            int[] sources = new int[n];
            ExemplarKind[] kinds = new ExemplarKind[n];
            for (int i = 0; i < n; i++) {
                labels[i] = in.readInt();
                sources[i] = in.readInt();
                kinds[i] = ExemplarKind.values()[in.readUnsignedByte()];
            }
            byte[] pixels = new byte[n * h * w * c];
            in.readFully(pixels);
            float[] values = null;
            if (storage != ExemplarStorage.UINT8) {
                values = new float[pixels.length];
                for (int i = 0; i < values.length; i++) {
                    values[i] = storage == ExemplarStorage.FLOAT32 ? in.readFloat() : ExemplarStorage.halfToFloat(in.readShort());
                }
            }
            return new ExemplarSet(pixels, labels, sources, kinds, h, w, c, values, storage);
        }
    }
}
