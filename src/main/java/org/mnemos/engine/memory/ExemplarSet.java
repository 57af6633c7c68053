package org.mnemos.engine.memory;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The exemplar memory after a phase, kept as the original uint8 images (HWC, like {@link
 * org.mnemos.engine.data.ImageDataset}) with their original labels, the index of each image in the
 * training split it came from (-1 for images a method synthesised) and their kind.
 */
public record ExemplarSet(
        byte[] pixels, int[] labels, int[] sourceIndices, ExemplarKind[] kinds, int height, int width, int channels) {

    public static final String FILE_NAME = "exemplars.bin";
    private static final int MAGIC = 0x4d4e4558; // "MNEX"

    public static ExemplarSet empty(int height, int width, int channels) {
        return new ExemplarSet(new byte[0], new int[0], new int[0], new ExemplarKind[0], height, width, channels);
    }

    public int size() {
        return labels.length;
    }

    public int imageBytes() {
        return height * width * channels;
    }

    /** Memory as the literature accounts it: the bytes of the stored images. */
    public long memoryBytes() {
        return pixels.length;
    }

    public void write(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(MAGIC);
            out.writeInt(size());
            out.writeInt(height);
            out.writeInt(width);
            out.writeInt(channels);
            for (int i = 0; i < size(); i++) {
                out.writeInt(labels[i]);
                out.writeInt(sourceIndices[i]);
                out.writeByte(kinds[i].ordinal());
            }
            out.write(pixels);
        }
    }

    public static ExemplarSet read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC) {
                throw new IOException(file + " is not an exemplar file");
            }
            int n = in.readInt();
            int h = in.readInt();
            int w = in.readInt();
            int c = in.readInt();
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
            return new ExemplarSet(pixels, labels, sources, kinds, h, w, c);
        }
    }
}
