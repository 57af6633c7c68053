package org.mnemos.support;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A small MNIST in the official IDX format: the first {@code n} images of each class of the real
 * files, so tests that run the whole service train in seconds on real digits.
 */
public final class MnistSubset {

    private MnistSubset() {}

    /** The real MNIST files, where the build points {@code mnemos.shared.data}. */
    public static Path officialFiles() {
        return Path.of(System.getProperty("mnemos.shared.data", "../shared/data"), "mnist");
    }

    /** Writes {@code <root>/mnist/} with {@code trainPerClass} and {@code testPerClass} images of each class. */
    public static Path write(Path root, int trainPerClass, int testPerClass) {
        try {
            Path target = Files.createDirectories(root.resolve("mnist"));
            split(officialFiles(), target, "train", trainPerClass);
            split(officialFiles(), target, "t10k", testPerClass);
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the MNIST subset under " + root, e);
        }
    }

    private static void split(Path source, Path target, String prefix, int perClass) throws IOException {
        byte[] labels;
        try (DataInputStream in = open(source.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
            in.readInt();
            labels = new byte[in.readInt()];
            in.readFully(labels);
        }
        try (DataInputStream in = open(source.resolve(prefix + "-images-idx3-ubyte.gz"))) {
            in.readInt();
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            byte[] image = new byte[rows * cols];
            int[] taken = new int[10];
            java.io.ByteArrayOutputStream images = new java.io.ByteArrayOutputStream();
            java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < count; i++) {
                in.readFully(image);
                int label = labels[i];
                if (taken[label] < perClass) {
                    taken[label]++;
                    images.write(image);
                    kept.write(label);
                }
            }
            int n = kept.size();
            try (DataOutputStream out = create(target.resolve(prefix + "-images-idx3-ubyte.gz"))) {
                out.writeInt(2051);
                out.writeInt(n);
                out.writeInt(rows);
                out.writeInt(cols);
                images.writeTo(out);
            }
            try (DataOutputStream out = create(target.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
                out.writeInt(2049);
                out.writeInt(n);
                kept.writeTo(out);
            }
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        return new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(raw)));
    }

    private static DataOutputStream create(Path file) throws IOException {
        OutputStream raw = Files.newOutputStream(file);
        return new DataOutputStream(new java.io.BufferedOutputStream(new GZIPOutputStream(raw)));
    }
}
