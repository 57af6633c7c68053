package org.mnemos.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.DataPathException;

class CifarReaderTest {

    static final Path SHARED = Path.of(System.getProperty("mnemos.shared.data", "../shared/data"));

    @TempDir
    Path temp;

    /** The value of image {@code i} at (row, col, channel) in every fixture, also the python-generated ones. */
    static int value(int i, int row, int col, int channel) {
        return (i * 50 + channel * 10 + row + col) % 256;
    }

    /** One image in the official planar layout: 1024 R, 1024 G, 1024 B, each row-major. */
    static byte[] planar(int i) {
        byte[] image = new byte[CifarReader.IMAGE_BYTES];
        for (int c = 0; c < 3; c++) {
            for (int row = 0; row < 32; row++) {
                for (int col = 0; col < 32; col++) {
                    image[c * 1024 + row * 32 + col] = (byte) value(i, row, col, c);
                }
            }
        }
        return image;
    }

    static void write(Path file, byte[] content, boolean gzip) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out =
                gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(content);
        }
    }

    static byte[] binaryRecords(int firstImage, int[] coarse, int[] fine) {
        int labelBytes = coarse == null ? 1 : 2;
        byte[] out = new byte[fine.length * (labelBytes + CifarReader.IMAGE_BYTES)];
        int at = 0;
        for (int k = 0; k < fine.length; k++) {
            if (coarse != null) {
                out[at++] = (byte) coarse[k];
            }
            out[at++] = (byte) fine[k];
            System.arraycopy(planar(firstImage + k), 0, out, at, CifarReader.IMAGE_BYTES);
            at += CifarReader.IMAGE_BYTES;
        }
        return out;
    }

    static byte[] py2Batch(int firstImage, int[] labels, String labelsKey) {
        byte[][] rows = new byte[labels.length][];
        List<Object> labelList = new ArrayList<>();
        List<Object> filenames = new ArrayList<>();
        for (int k = 0; k < labels.length; k++) {
            rows[k] = planar(firstImage + k);
            labelList.add(labels[k]);
            filenames.add("image_" + (firstImage + k) + ".png");
        }
        return Py2Pickle.dict(
                "batch_label", "testing batch 1 of 1", labelsKey, labelList, "data", rows, "filenames", filenames);
    }

    static void assertImage(ImageDataset data, int index, int fixtureImage) {
        byte[] pixels = data.pixels();
        int base = index * CifarReader.IMAGE_BYTES;
        // (row 0, col 1) green: the planar offset 1024 + 1 must land at HWC offset (0*32 + 1)*3 + 1
        assertThat(pixels[base + 4] & 0xff).isEqualTo(value(fixtureImage, 0, 1, 1));
        for (int row = 0; row < 32; row++) {
            for (int col = 0; col < 32; col++) {
                for (int c = 0; c < 3; c++) {
                    assertThat(pixels[base + (row * 32 + col) * 3 + c] & 0xff)
                            .isEqualTo(value(fixtureImage, row, col, c));
                }
            }
        }
    }

    @Test
    void readsCifar10PythonBatchesInTheOfficialSubfolderWithTheRealMeta() throws Exception {
        Path folder = temp.resolve("cifar-10/cifar-10-batches-py");
        for (int b = 1; b <= 5; b++) {
            write(folder.resolve("data_batch_" + b), py2Batch(b * 2, new int[] {b, 9 - b}, "labels"), false);
        }
        write(folder.resolve("test_batch.gz"), py2Batch(20, new int[] {3}, "labels"), true);
        Files.copy(SHARED.resolve("cifar-10/batches.meta.gz"), folder.resolve("batches.meta.gz"));

        Path dir = temp.resolve("cifar-10");
        assertThat(CifarReader.isPresent(dir, CifarReader.Variant.CIFAR10)).isTrue();
        ImageDataset train = CifarReader.readSplit(dir, CifarReader.Variant.CIFAR10, true);
        assertThat(train.size()).isEqualTo(10);
        assertThat(train.labels()).containsExactly(1, 8, 2, 7, 3, 6, 4, 5, 5, 4);
        assertThat(train.height()).isEqualTo(32);
        assertThat(train.channels()).isEqualTo(3);
        assertThat(train.classNames()).isEqualTo(CifarReader.CIFAR10_CLASSES);
        assertImage(train, 0, 2);
        assertImage(train, 9, 11);
        ImageDataset test = CifarReader.readSplit(dir, CifarReader.Variant.CIFAR10, false);
        assertThat(test.labels()).containsExactly(3);
        assertImage(test, 0, 20);
    }

    @Test
    void readsCifar10BinaryBatchesDirectlyInTheDirectory() throws Exception {
        Path dir = temp.resolve("cifar-10");
        for (int b = 1; b <= 5; b++) {
            write(dir.resolve("data_batch_" + b + ".bin"), binaryRecords(b, null, new int[] {b}), false);
        }
        write(dir.resolve("test_batch.bin"), binaryRecords(7, null, new int[] {0, 9}), false);
        write(
                dir.resolve("batches.meta.txt"),
                String.join("\n", CifarReader.CIFAR10_CLASSES).concat("\n\n").getBytes(),
                false);
        ImageDataset train = CifarReader.readSplit(dir, CifarReader.Variant.CIFAR10, true);
        assertThat(train.labels()).containsExactly(1, 2, 3, 4, 5);
        assertImage(train, 4, 5);
        ImageDataset test = CifarReader.readSplit(dir, CifarReader.Variant.CIFAR10, false);
        assertThat(test.labels()).containsExactly(0, 9);
        assertImage(test, 1, 8);
        assertThat(CifarReader.readClassNames(dir, CifarReader.Variant.CIFAR10))
                .hasSize(10)
                .startsWith("airplane");
    }

    @Test
    void readsCifar100BinaryUsingTheFineLabel() throws Exception {
        Path folder = temp.resolve("cifar-100/cifar-100-binary");
        write(folder.resolve("train.bin.gz"), binaryRecords(0, new int[] {19, 3}, new int[] {99, 4}), true);
        write(folder.resolve("test.bin"), binaryRecords(4, new int[] {0}, new int[] {57}), false);
        write(
                folder.resolve("fine_label_names.txt"),
                String.join("\n", CifarReader.CIFAR100_CLASSES).getBytes(),
                false);
        Path dir = temp.resolve("cifar-100");
        ImageDataset train = CifarReader.readSplit(dir, CifarReader.Variant.CIFAR100, true);
        assertThat(train.labels()).containsExactly(99, 4);
        assertThat(train.numClasses()).isEqualTo(100);
        assertImage(train, 1, 1);
        assertThat(CifarReader.readSplit(dir, CifarReader.Variant.CIFAR100, false)
                        .labels())
                .containsExactly(57);
    }

    @Test
    void readsCifar100PythonFilesWrittenByNumpy2() throws Exception {
        Path fixtures = Path.of(getClass()
                        .getResource("/cifar-numpy2/cifar-100-python/meta")
                        .toURI())
                .getParent()
                .getParent();
        Path dir = temp.resolve("cifar-100");
        copyTree(fixtures, dir);
        ImageDataset train = CifarReader.readSplit(dir, CifarReader.Variant.CIFAR100, true);
        assertThat(train.labels()).containsExactly(0, 99, 42);
        assertThat(train.classNames()).hasSize(100).startsWith("fine0");
        for (int i = 0; i < 3; i++) {
            assertImage(train, i, i);
        }
        ImageDataset test = CifarReader.readSplit(dir, CifarReader.Variant.CIFAR100, false);
        assertThat(test.labels()).containsExactly(7, 1);
        assertImage(test, 1, 1);
    }

    @Test
    void readsClassNamesFromTheRealOfficialMetadata() {
        List<String> fine =
                CifarReader.readPickleClassNames(SHARED.resolve("cifar-100/meta.gz"), CifarReader.Variant.CIFAR100);
        assertThat(fine).hasSize(100);
        assertThat(fine.get(0)).isEqualTo("apple");
        assertThat(fine).isEqualTo(CifarReader.CIFAR100_CLASSES);
        assertThat(CifarReader.readClassNames(SHARED.resolve("cifar-10"), CifarReader.Variant.CIFAR10))
                .isEqualTo(CifarReader.CIFAR10_CLASSES);
        assertThat(CifarReader.isPresent(SHARED.resolve("cifar-100"), CifarReader.Variant.CIFAR100))
                .isFalse();
    }

    @Test
    void rejectsMalformedFiles() throws Exception {
        Path dir = temp.resolve("cifar-100");
        write(dir.resolve("train.bin"), new byte[3074 * 2 - 1], false);
        write(dir.resolve("test.bin"), binaryRecords(0, new int[] {0}, new int[] {1}), false);
        assertThatThrownBy(() -> CifarReader.readSplit(dir, CifarReader.Variant.CIFAR100, true))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("3074-byte");

        Path py = temp.resolve("py");
        write(
                py.resolve("data_batch_1"),
                Py2Pickle.dict("labels", List.of(1), "data", new byte[][] {new byte[5]}),
                false);
        assertThatThrownBy(() -> CifarReader.readPickleBatch(py.resolve("data_batch_1"), CifarReader.Variant.CIFAR10))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("expected C-order uint8");

        assertThatThrownBy(() -> CifarReader.readSplit(temp.resolve("nothing"), CifarReader.Variant.CIFAR10, true))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("data_batch_1");
    }

    private static void copyTree(Path from, Path to) throws IOException, URISyntaxException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
    }
}
