package org.mnemos.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.DataPathException;

class IdxReaderTest {

    @TempDir
    Path temp;

    static byte[] imagesFile(int count, int rows, int cols, int magic) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int i = 0; i < count * rows * cols; i++) {
            out.writeByte(i % 251);
        }
        return bytes.toByteArray();
    }

    static byte[] labelsFile(int[] labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(IdxReader.LABELS_MAGIC);
        out.writeInt(labels.length);
        for (int label : labels) {
            out.writeByte(label);
        }
        return bytes.toByteArray();
    }

    static void write(Path file, byte[] content, boolean gzip) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out =
                gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(content);
        }
    }

    /** Writes a complete tiny MNIST-layout directory (3 train, 2 test images of 4x5). */
    static void writeTinySet(Path dir, boolean gzip) throws IOException {
        String suffix = gzip ? ".gz" : "";
        write(dir.resolve("train-images-idx3-ubyte" + suffix), imagesFile(3, 4, 5, IdxReader.IMAGES_MAGIC), gzip);
        write(dir.resolve("train-labels-idx1-ubyte" + suffix), labelsFile(new int[] {7, 0, 9}), gzip);
        write(dir.resolve("t10k-images-idx3-ubyte" + suffix), imagesFile(2, 4, 5, IdxReader.IMAGES_MAGIC), gzip);
        write(dir.resolve("t10k-labels-idx1-ubyte" + suffix), labelsFile(new int[] {1, 2}), gzip);
    }

    @Test
    void readsPlainAndGzippedFiles() throws Exception {
        for (boolean gzip : new boolean[] {false, true}) {
            Path dir = temp.resolve(gzip ? "gz" : "plain");
            writeTinySet(dir, gzip);
            ImageDataset train = IdxReader.readSplit(dir, true, "mnist", IdxReader.MNIST_CLASSES);
            assertThat(train.size()).isEqualTo(3);
            assertThat(train.height()).isEqualTo(4);
            assertThat(train.width()).isEqualTo(5);
            assertThat(train.channels()).isEqualTo(1);
            assertThat(train.labels()).containsExactly(7, 0, 9);
            assertThat(train.pixels()[21] & 0xff).isEqualTo(21);
            assertThat(IdxReader.readSplit(dir, false, "mnist", IdxReader.MNIST_CLASSES)
                            .labels())
                    .containsExactly(1, 2);
            assertThat(IdxReader.isPresent(dir)).isTrue();
        }
    }

    @Test
    void rejectsWrongMagicAndMismatchedCounts() throws Exception {
        Path images = temp.resolve("img");
        Path labels = temp.resolve("lbl");
        write(images, imagesFile(3, 2, 2, 1234), false);
        write(labels, labelsFile(new int[] {1, 2, 3}), false);
        assertThatThrownBy(() -> IdxReader.read(images, labels, "mnist", IdxReader.MNIST_CLASSES))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("magic 1234");

        write(images, imagesFile(3, 2, 2, IdxReader.IMAGES_MAGIC), false);
        write(labels, labelsFile(new int[] {1, 2}), false);
        assertThatThrownBy(() -> IdxReader.read(images, labels, "mnist", IdxReader.MNIST_CLASSES))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("2 labels")
                .hasMessageContaining("3 images");

        byte[] full = imagesFile(3, 2, 2, IdxReader.IMAGES_MAGIC);
        write(images, java.util.Arrays.copyOf(full, full.length - 1), true);
        write(labels, labelsFile(new int[] {1, 2, 3}), false);
        assertThatThrownBy(() -> IdxReader.read(images, labels, "mnist", IdxReader.MNIST_CLASSES))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void readsTheRealFashionMnistTestSplit() {
        Path dir = Path.of(System.getProperty("mnemos.shared.data", "../shared/data"))
                .resolve("fashion-mnist");
        ImageDataset test = IdxReader.readSplit(dir, false, "fashion-mnist", IdxReader.FASHION_MNIST_CLASSES);
        assertThat(test.size()).isEqualTo(10_000);
        assertThat(test.height()).isEqualTo(28);
        int[] perClass = new int[10];
        for (int label : test.labels()) {
            perClass[label]++;
        }
        assertThat(perClass).containsOnly(1000);
        assertThat(IdxReader.readTrainHeader(dir)).isEqualTo(new IdxReader.ImagesHeader(60_000, 28, 28));
        assertThat(test.classNames().get(9)).isEqualTo("Ankle boot");
    }
}
