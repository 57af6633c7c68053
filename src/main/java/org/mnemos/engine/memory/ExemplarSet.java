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
 *
 * <p>With CIM compression ({@code boxes} not null), {@code pixels} holds the rebuilt images, what
 * training and the downloads use; each {@link ExemplarKind#COMPRESSED} exemplar {@code i} has its box
 * at {@code boxes[4i .. 4i+3]} and is stored, in the file and in the byte accounting, as its
 * {@link CompressedImage}: the box at full resolution and the needed downsampled cells.
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
        ExemplarStorage storage,
        int[] boxes,
        float compressionRatio) {

    public static final String FILE_NAME = "exemplars.bin";
    private static final int MAGIC_UINT8 = 0x4d4e4558; // "MNEX": the uint8-only format of earlier versions
    private static final int MAGIC = 0x4d4e5832; // "MNX2": adds the storage precision and exact values
    private static final int MAGIC_COMPRESSED =
            0x4d4e5833; // "MNX3": uint8 exemplars, compressed ones as CIM stores them

    public ExemplarSet {
        if (values != null && values.length != pixels.length) {
            throw new IllegalArgumentException("values has " + values.length + " entries, pixels " + pixels.length);
        }
        if ((values != null) == (storage == ExemplarStorage.UINT8)) {
            throw new IllegalArgumentException("float values go with a float storage, got " + storage);
        }
        if (boxes != null && (values != null || boxes.length != 4 * labels.length)) {
            throw new IllegalArgumentException("compressed exemplars are uint8 with one box each");
        }
    }

    /** A memory without compressed exemplars. */
    public ExemplarSet(
            byte[] pixels,
            int[] labels,
            int[] sourceIndices,
            ExemplarKind[] kinds,
            int height,
            int width,
            int channels,
            float[] values,
            ExemplarStorage storage) {
        this(pixels, labels, sourceIndices, kinds, height, width, channels, values, storage, null, 0f);
    }

    /** A uint8 memory of stored images. */
    public ExemplarSet(
            byte[] pixels,
            int[] labels,
            int[] sourceIndices,
            ExemplarKind[] kinds,
            int height,
            int width,
            int channels) {
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
        return new ExemplarSet(view, labels, sourceIndices, newKinds, height, width, channels, held, storage, null, 0f);
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

    /**
     * Memory as the literature accounts it: the bytes of the stored images at their precision; for
     * compressed exemplars, the bytes of their stored pixel arrays (box crop and downsampled cells).
     */
    public long memoryBytes() {
        if (boxes == null) {
            return (long) pixels.length * storage.bytesPerValue();
        }
        long bytes = 0;
        for (int i = 0; i < size(); i++) {
            bytes += storedBytes(i) - CompressedImage.LABEL_BYTES - (isCompressed(i) ? CompressedImage.BOX_BYTES : 0);
        }
        return bytes;
    }

    /** Everything the memory stores: pixel arrays, labels, and the boxes of compressed exemplars. */
    public long storedBytes() {
        long bytes = 0;
        for (int i = 0; i < size(); i++) {
            bytes += storedBytes(i);
        }
        return bytes;
    }

    /** What exemplar {@code i} takes: its pixels at the storage precision (or its compressed arrays), box and label. */
    public long storedBytes(int i) {
        if (isCompressed(i)) {
            return compressed(i).storedBytes();
        }
        return (long) imageBytes() * storage.bytesPerValue() + CompressedImage.LABEL_BYTES;
    }

    public boolean isCompressed(int i) {
        return boxes != null && kinds[i] == ExemplarKind.COMPRESSED;
    }

    /** The box of exemplar {@code i}, {@code (top, bottom, left, right)}, or null when it is a full image. */
    public int[] box(int i) {
        return isCompressed(i) ? java.util.Arrays.copyOfRange(boxes, 4 * i, 4 * i + 4) : null;
    }

    /** Exemplar {@code i} as stored: compressed again from its rebuilt image, which gives back the same arrays. */
    public CompressedImage compressed(int i) {
        return ExemplarCompression.compress(
                pixels, i * imageBytes(), height, width, channels, box(i), compressionRatio);
    }

    /** Cost of exemplar {@code i} in full-image units: 1, or {@code box + (1 − box)/r} when compressed. */
    public double unitCost(int i) {
        return isCompressed(i) ? compressed(i).unitCost() : 1.0;
    }

    public void write(Path file) throws IOException {
        if (boxes != null) {
            writeCompressed(file);
            return;
        }
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

    /** MNX3: each compressed exemplar's box, crop and downsampled cells; full images as they are. */
    private void writeCompressed(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(MAGIC_COMPRESSED);
            out.writeInt(size());
            out.writeInt(height);
            out.writeInt(width);
            out.writeInt(channels);
            out.writeFloat(compressionRatio);
            for (int i = 0; i < size(); i++) {
                out.writeInt(labels[i]);
                out.writeInt(sourceIndices[i]);
                out.writeByte(kinds[i].ordinal());
                if (isCompressed(i)) {
                    CompressedImage image = compressed(i);
                    for (int coordinate : image.box()) {
                        out.writeShort(coordinate);
                    }
                    out.write(image.crop());
                    out.write(image.rest());
                } else {
                    out.write(pixels, i * imageBytes(), imageBytes());
                }
            }
        }
    }

    private static ExemplarSet readCompressed(DataInputStream in) throws IOException {
        int n = in.readInt();
        int h = in.readInt();
        int w = in.readInt();
        int c = in.readInt();
        float ratio = in.readFloat();
        int[] labels = new int[n];
        int[] sources = new int[n];
        ExemplarKind[] kinds = new ExemplarKind[n];
        int[] boxes = new int[4 * n];
        byte[] pixels = new byte[n * h * w * c];
        for (int i = 0; i < n; i++) {
            labels[i] = in.readInt();
            sources[i] = in.readInt();
            kinds[i] = ExemplarKind.values()[in.readUnsignedByte()];
            if (kinds[i] == ExemplarKind.COMPRESSED) {
                int[] box = new int[4];
                for (int k = 0; k < 4; k++) {
                    box[k] = in.readUnsignedShort();
                }
                System.arraycopy(box, 0, boxes, 4 * i, 4);
                CompressedImage layout = ExemplarCompression.compress(new byte[h * w * c], 0, h, w, c, box, ratio);
                byte[] crop = new byte[layout.crop().length];
                byte[] rest = new byte[layout.rest().length];
                in.readFully(crop);
                in.readFully(rest);
                byte[] image = ExemplarCompression.rebuild(new CompressedImage(h, w, c, ratio, box, crop, rest));
                System.arraycopy(image, 0, pixels, i * h * w * c, image.length);
            } else {
                in.readFully(pixels, i * h * w * c, h * w * c);
            }
        }
        return new ExemplarSet(pixels, labels, sources, kinds, h, w, c, null, ExemplarStorage.UINT8, boxes, ratio);
    }

    public static ExemplarSet read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int magic = in.readInt();
            if (magic == MAGIC_COMPRESSED) {
                return readCompressed(in);
            }
            if (magic != MAGIC && magic != MAGIC_UINT8) {
                throw new IOException(file + " is not an exemplar file");
            }
            int n = in.readInt();
            int h = in.readInt();
            int w = in.readInt();
            int c = in.readInt();
            ExemplarStorage storage =
                    magic == MAGIC ? ExemplarStorage.values()[in.readUnsignedByte()] : ExemplarStorage.UINT8;
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
                    values[i] = storage == ExemplarStorage.FLOAT32
                            ? in.readFloat()
                            : ExemplarStorage.halfToFloat(in.readShort());
                }
            }
            return new ExemplarSet(pixels, labels, sources, kinds, h, w, c, values, storage);
        }
    }
}
