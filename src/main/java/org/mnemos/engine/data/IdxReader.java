package org.mnemos.engine.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.mnemos.engine.DataPathException;

/** Reads MNIST-format IDX files (MNIST, Fashion-MNIST), gzipped or not. */
public final class IdxReader {

    public static final int IMAGES_MAGIC = 2051;
    public static final int LABELS_MAGIC = 2049;

    public static final List<String> MNIST_CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    public static final List<String> FASHION_MNIST_CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final List<String> HERE = List.of("");

    /** The header of an images file. */
    public record ImagesHeader(int count, int rows, int cols) {}

    private IdxReader() {}

    /** Reads {@code train-*} or {@code t10k-*} images and labels from {@code dir} ({@code .gz} or plain). */
    public static ImageDataset readSplit(Path dir, boolean train, String name, List<String> classNames) {
        String prefix = train ? "train" : "t10k";
        Path images = DataFiles.require(dir, HERE, prefix + "-images-idx3-ubyte");
        Path labels = DataFiles.require(dir, HERE, prefix + "-labels-idx1-ubyte");
        return read(images, labels, name, classNames);
    }

    /** True when both splits' files are present in {@code dir}. */
    public static boolean isPresent(Path dir) {
        for (String prefix : List.of("train", "t10k")) {
            for (String kind : List.of("-images-idx3-ubyte", "-labels-idx1-ubyte")) {
                if (DataFiles.find(dir, HERE, prefix + kind).isEmpty()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Reads only the header of the training images file of {@code dir}. */
    public static ImagesHeader readTrainHeader(Path dir) {
        return readImagesHeader(DataFiles.require(dir, HERE, "train-images-idx3-ubyte"));
    }

    public static ImagesHeader readImagesHeader(Path imagesFile) {
        try (DataInputStream in = new DataInputStream(DataFiles.open(imagesFile))) {
            return imagesHeader(in, imagesFile);
        } catch (EOFException e) {
            throw new DataPathException(imagesFile + " is truncated: it ends inside the IDX header");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + imagesFile, e);
        }
    }

    public static ImageDataset read(Path imagesFile, Path labelsFile, String name, List<String> classNames) {
        ImagesHeader header;
        byte[] pixels;
        try (DataInputStream in = new DataInputStream(DataFiles.open(imagesFile))) {
            header = imagesHeader(in, imagesFile);
            pixels = new byte[Math.multiplyExact(header.count(), header.rows() * header.cols())];
            in.readFully(pixels);
            if (in.read() != -1) {
                throw new DataPathException(
                        imagesFile + " has bytes after the " + header.count() + " images its header announces");
            }
        } catch (EOFException e) {
            throw new DataPathException(imagesFile + " is truncated: fewer pixel bytes than its header announces");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + imagesFile, e);
        }
        int[] labels;
        try (DataInputStream in = new DataInputStream(DataFiles.open(labelsFile))) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw new DataPathException(
                        labelsFile + " is not an IDX labels file: magic " + magic + ", expected " + LABELS_MAGIC);
            }
            int count = in.readInt();
            if (count != header.count()) {
                throw new DataPathException(labelsFile + " holds " + count + " labels but " + imagesFile + " holds "
                        + header.count() + " images");
            }
            byte[] raw = new byte[count];
            in.readFully(raw);
            labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = raw[i] & 0xff;
                if (labels[i] >= classNames.size()) {
                    throw new DataPathException(labelsFile + " has label " + labels[i] + " at index " + i + " but "
                            + name + " has " + classNames.size() + " classes");
                }
            }
        } catch (EOFException e) {
            throw new DataPathException(labelsFile + " is truncated: fewer labels than its header announces");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + labelsFile, e);
        }
        return new ImageDataset(name, pixels, labels, header.rows(), header.cols(), 1, classNames);
    }

    private static ImagesHeader imagesHeader(DataInputStream in, Path file) throws IOException {
        int magic = in.readInt();
        if (magic != IMAGES_MAGIC) {
            throw new DataPathException(
                    file + " is not an IDX images file: magic " + magic + ", expected " + IMAGES_MAGIC);
        }
        int count = in.readInt();
        int rows = in.readInt();
        int cols = in.readInt();
        if (count < 0 || rows <= 0 || cols <= 0 || rows > 4096 || cols > 4096) {
            throw new DataPathException(
                    file + " has an implausible IDX header: " + count + " images of " + rows + "x" + cols);
        }
        return new ImagesHeader(count, rows, cols);
    }
}
