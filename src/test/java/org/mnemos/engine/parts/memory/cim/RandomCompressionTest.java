package org.mnemos.engine.parts.memory.cim;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * CIM's random compression of new-class training images: when the authors regenerate boxes, the
 * probability that follows, and which images of a batch are replaced by what.
 */
class RandomCompressionTest {

    @Test
    void boxesAreRegeneratedAtMultiplesOfTheIntervalButNeitherTheFirstNorTheLastEpoch() {
        // the authors' configs: 200 base epochs, every 40 -> epochs 40, 80, 120, 160
        assertThat(java.util.stream.IntStream.range(0, 200).filter(e -> RandomCompression.regeneratesAt(e, 40, 200)))
                .containsExactly(40, 80, 120, 160);
        // every epoch: all but the first and the last
        assertThat(java.util.stream.IntStream.range(0, 5).filter(e -> RandomCompression.regeneratesAt(e, 1, 5)))
                .containsExactly(1, 2, 3);
        // 41 epochs: epoch 40 is the last, so no regeneration at all
        assertThat(java.util.stream.IntStream.range(0, 41).filter(e -> RandomCompression.regeneratesAt(e, 40, 41)))
                .isEmpty();
    }

    @Test
    void probabilityRisesByTheStepAtEachRegeneration() {
        assertThat(RandomCompression.probabilityAt(40, 40, 0.1))
                .isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(RandomCompression.probabilityAt(120, 40, 0.1))
                .isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(RandomCompression.probabilityAt(3, 1, 0.25)).isEqualTo(0.75);
    }

    /** Three 4x4 grey images, values 16·i + pixel; rows 1 and 2 are the new classes'. */
    private static byte[] images() {
        byte[] pixels = new byte[3 * 16];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) i;
        }
        return pixels;
    }

    private static RandomCompression regenerated(NDManager manager, double probability) {
        RandomCompression compression = new RandomCompression(manager);
        byte[] all = images();
        byte[] newClasses = java.util.Arrays.copyOfRange(all, 16, 48);
        // row 1 keeps its top-left quarter, row 2 nothing (only its 2x2 downsampled version)
        compression.regenerate(
                3,
                new int[] {1, 2},
                newClasses,
                new int[] {1, 1},
                new int[][] {{0, 2, 0, 2}, {0, 0, 0, 0}},
                4,
                4,
                1,
                4.0,
                probability);
        return compression;
    }

    private static NDArray batch(NDManager manager, long[] rows) {
        byte[] all = images();
        byte[] picked = new byte[rows.length * 16];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(all, (int) rows[i] * 16, picked, i * 16, 16);
        }
        return manager.create(ByteBuffer.wrap(picked), new Shape(rows.length, 4, 4, 1), DataType.UINT8);
    }

    @Test
    void withProbabilityOneEveryNewClassImageIsReplacedByItsRebuiltCompressedVersion() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            RandomCompression compression = regenerated(manager, 1.0);
            long[] rows = {2, 0, 1};
            NDArray out = compression.apply(rows, batch(manager, rows), new Random(1));
            byte[] result = out.toByteArray();
            // row 2, empty box: every pixel is its 2x2 cell's PIL-nearest sample (pixels (1,1), (1,3), (3,1), (3,3))
            byte[] row2 = {37, 37, 39, 39, 37, 37, 39, 39, 45, 45, 47, 47, 45, 45, 47, 47};
            // row 1, box (0..2, 0..2) kept, the rest from the cells
            byte[] row1 = {16, 17, 23, 23, 20, 21, 23, 23, 29, 29, 31, 31, 29, 29, 31, 31};
            assertThat(java.util.Arrays.copyOfRange(result, 0, 16)).containsExactly(row2);
            assertThat(java.util.Arrays.copyOfRange(result, 16, 32))
                    .containsExactly(java.util.Arrays.copyOfRange(images(), 0, 16));
            assertThat(java.util.Arrays.copyOfRange(result, 32, 48)).containsExactly(row1);
            assertThat(compression.replaced()).isEqualTo(2);
        }
    }

    @Test
    void floatBatchesGetTheCompressedPixelsInPixelScale() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            RandomCompression compression = regenerated(manager, 1.0);
            long[] rows = {2};
            NDArray out = compression.apply(rows, batch(manager, rows).toType(DataType.FLOAT32, false), new Random(1));
            assertThat(out.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(out.toFloatArray()[0]).isEqualTo(37f);
        }
    }

    @Test
    void beforeAnyRegenerationNothingIsReplacedAndNoRandomNumberIsDrawn() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            RandomCompression compression = new RandomCompression(manager);
            long[] rows = {0, 1, 2};
            NDArray images = batch(manager, rows);
            Random rng = new Random(7);
            assertThat(compression.apply(rows, images, rng)).isSameAs(images);
            assertThat(rng.nextLong()).isEqualTo(new Random(7).nextLong());
            RandomCompression zero = regenerated(manager, 0.0);
            assertThat(zero.apply(rows, images, rng)).isSameAs(images);
        }
    }

    @Test
    void partialProbabilityReplacesADeterministicShareOfNewClassImagesOnly() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            long[] rows = new long[400];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = i % 3;
            }
            RandomCompression first = regenerated(manager, 0.3);
            RandomCompression second = regenerated(manager, 0.3);
            byte[] a = first.apply(rows, batch(manager, rows), new Random(11)).toByteArray();
            byte[] b = second.apply(rows, batch(manager, rows), new Random(11)).toByteArray();
            assertThat(a).isEqualTo(b);
            byte[] original = batch(manager, rows).toByteArray();
            int changed = 0;
            for (int i = 0; i < rows.length; i++) {
                boolean differs = !java.util.Arrays.equals(
                        java.util.Arrays.copyOfRange(a, i * 16, (i + 1) * 16),
                        java.util.Arrays.copyOfRange(original, i * 16, (i + 1) * 16));
                if (rows[i] == 0) {
                    assertThat(differs).as("old-class row %d", i).isFalse();
                }
                changed += differs ? 1 : 0;
            }
            // 267 new-class draws at p = 0.3: about 80, and every replacement changes its image here
            assertThat(changed).isEqualTo((int) first.replaced()).isBetween(55, 105);
        }
    }
}
