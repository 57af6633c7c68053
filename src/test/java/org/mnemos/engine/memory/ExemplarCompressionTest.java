package org.mnemos.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CIM's compression on hand-made images, against expected images written out by hand: box at the
 * border, empty mask, full mask, odd sizes; and the byte accounting against the stored arrays.
 */
class ExemplarCompressionTest {

    /** A 4x4 single-channel image with distinct values 0..15. */
    private static byte[] ramp(int h, int w, int c) {
        byte[] image = new byte[h * w * c];
        for (int i = 0; i < image.length; i++) {
            image[i] = (byte) (i * 7 + 3);
        }
        return image;
    }

    @Test
    void boxInTheCornerKeepsItsPixelsAndDownsamplesTheRestByPilNearest() {
        // 4x4, r = 4: the downsampled image is 2x2 and samples pixels (1,1), (1,3), (3,1), (3,3) (PIL centres)
        byte[] image = new byte[16];
        for (int i = 0; i < 16; i++) {
            image[i] = (byte) i;
        }
        int[] box = {0, 2, 0, 2};
        CompressedImage compressed = ExemplarCompression.compress(image, 0, 4, 4, 1, box, 4f);
        assertThat(compressed.crop()).containsExactly(0, 1, 4, 5);
        // cell (0,0) is covered by the box entirely, so only three cells are stored
        assertThat(compressed.rest()).containsExactly(7, 13, 15);
        byte[] expected = {
            0, 1, 7, 7,
            4, 5, 7, 7,
            13, 13, 15, 15,
            13, 13, 15, 15
        };
        assertThat(ExemplarCompression.rebuild(compressed)).containsExactly(expected);
        assertThat(compressed.storedBytes()).isEqualTo(4 + 3 + CompressedImage.BOX_BYTES + CompressedImage.LABEL_BYTES);
        assertThat(compressed.unitCost()).isEqualTo(0.25 + 0.75 / 4);
    }

    @Test
    void emptyMaskStoresOnlyTheDownsampledImage() {
        byte[] image = new byte[16];
        for (int i = 0; i < 16; i++) {
            image[i] = (byte) (100 + i);
        }
        float[] heatmap = new float[16];
        java.util.Arrays.fill(heatmap, 0.6f); // not above the threshold: OpenCV's THRESH_BINARY is strict
        int[] box = ExemplarCompression.box(heatmap, 4, 4, 0.6);
        assertThat(box).containsExactly(0, 0, 0, 0);
        CompressedImage compressed = ExemplarCompression.compress(image, 0, 4, 4, 1, box, 4f);
        assertThat(compressed.crop()).isEmpty();
        assertThat(compressed.rest()).containsExactly(105, 107, 113, 115);
        assertThat(ExemplarCompression.rebuild(compressed))
                .containsExactly(105, 105, 107, 107, 105, 105, 107, 107, 113, 113, 115, 115, 113, 113, 115, 115);
        assertThat(compressed.unitCost()).isEqualTo(0.25);
    }

    @Test
    void fullMaskKeepsTheImageAndNoCell() {
        byte[] image = ramp(5, 3, 3);
        float[] heatmap = new float[15];
        java.util.Arrays.fill(heatmap, 0.9f);
        int[] box = ExemplarCompression.box(heatmap, 5, 3, 0.6);
        assertThat(box).containsExactly(0, 5, 0, 3);
        CompressedImage compressed = ExemplarCompression.compress(image, 0, 5, 3, 3, box, 4f);
        assertThat(compressed.rest()).isEmpty();
        assertThat(compressed.crop()).containsExactly(image);
        assertThat(ExemplarCompression.rebuild(compressed)).containsExactly(image);
        assertThat(compressed.unitCost()).isEqualTo(1.0);
    }

    @Test
    void oddSizesWithABoxOnTheRightBorderAndThreeChannels() {
        // 5x7 RGB, r = 4: downsampled 2x3; rows sample 1 and 3 (floor((i+.5)*2.5)), columns 1, 3, 5 (floor((j+.5)*7/3))
        int h = 5;
        int w = 7;
        byte[] image = ramp(h, w, 3);
        int[] box = {1, 4, 5, 7};
        CompressedImage compressed = ExemplarCompression.compress(image, 0, h, w, 3, box, 4f);
        byte[] rebuilt = ExemplarCompression.rebuild(compressed);
        int[] rowCell = {0, 0, 1, 1, 1}; // floor((y+.5)*2/5)
        int[] colCell = {0, 0, 1, 1, 1, 2, 2}; // floor((x+.5)*3/7)
        int[] sourceRow = {1, 3};
        int[] sourceCol = {1, 3, 5};
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean inBox = y >= 1 && y < 4 && x >= 5;
                int sy = inBox ? y : sourceRow[rowCell[y]];
                int sx = inBox ? x : sourceCol[colCell[x]];
                for (int ch = 0; ch < 3; ch++) {
                    assertThat(rebuilt[(y * w + x) * 3 + ch])
                            .as("(%d,%d,%d)", y, x, ch)
                            .isEqualTo(image[(sy * w + sx) * 3 + ch]);
                }
            }
        }
        // every cell has a pixel outside the box: 6 cells of 3 values, plus the 3x2 box
        assertThat(compressed.rest()).hasSize(18);
        assertThat(compressed.crop()).hasSize(18);
        // compressing the rebuilt image again gives the same stored arrays: the memory keeps rebuilt images
        CompressedImage again = ExemplarCompression.compress(rebuilt, 0, h, w, 3, box, 4f);
        assertThat(again.crop()).containsExactly(compressed.crop());
        assertThat(again.rest()).containsExactly(compressed.rest());
    }

    @Test
    void boxIsTheTightBoxOfTheThresholdedHeatmap() {
        float[] heatmap = new float[6 * 5];
        heatmap[1 * 5 + 4] = 0.7f;
        heatmap[4 * 5 + 2] = 0.61f;
        heatmap[5 * 5 + 0] = 0.6f;
        assertThat(ExemplarCompression.box(heatmap, 6, 5, 0.6)).containsExactly(1, 5, 2, 5);
    }

    @Test
    void malformedBoxesAreRefused() {
        assertThatThrownBy(() -> ExemplarCompression.compress(new byte[16], 0, 4, 4, 1, new int[] {0, 5, 0, 1}, 4f))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExemplarCompression.compress(new byte[16], 0, 4, 4, 1, new int[] {2, 2, 1, 3}, 4f))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void byteAccountingIsTheSumOfTheStoredArraysAndSurvivesTheFile(@TempDir Path dir) throws Exception {
        int h = 5;
        int w = 6;
        int c = 3;
        int image = h * w * c;
        byte[] originals = ramp(3 * h, w, c);
        int[][] boxes = {{0, 5, 0, 6}, {1, 3, 2, 6}, {0, 0, 0, 0}};
        byte[] pixels = new byte[3 * image];
        int[] boxArray = new int[12];
        long expected = 0;
        for (int i = 0; i < 3; i++) {
            CompressedImage compressed = ExemplarCompression.compress(originals, i * image, h, w, c, boxes[i], 4f);
            System.arraycopy(ExemplarCompression.rebuild(compressed), 0, pixels, i * image, image);
            System.arraycopy(boxes[i], 0, boxArray, 4 * i, 4);
            expected += compressed.crop().length + compressed.rest().length + 4 * 2 + 4;
        }
        ExemplarKind[] kinds = {ExemplarKind.COMPRESSED, ExemplarKind.COMPRESSED, ExemplarKind.COMPRESSED};
        ExemplarSet set = new ExemplarSet(
                pixels,
                new int[] {1, 1, 2},
                new int[] {7, 8, 9},
                kinds,
                h,
                w,
                c,
                null,
                ExemplarStorage.UINT8,
                boxArray,
                4f);
        assertThat(set.storedBytes()).isEqualTo(expected);
        assertThat(set.memoryBytes()).isEqualTo(expected - 3 * (8 + 4));
        Path file = dir.resolve(ExemplarSet.FILE_NAME);
        set.write(file);
        // the file holds exactly the stored arrays plus its own header and per-exemplar source index and kind
        long header = 4 * 5 + 4;
        long perExemplar = 4 + 1; // source index, kind
        assertThat(java.nio.file.Files.size(file)).isEqualTo(header + expected + 3 * perExemplar);
        ExemplarSet back = ExemplarSet.read(file);
        assertThat(back.pixels()).containsExactly(pixels);
        assertThat(back.box(1)).containsExactly(1, 3, 2, 6);
        assertThat(back.storedBytes()).isEqualTo(expected);
        assertThat(back.kinds()).containsExactly(kinds);
    }

    @Test
    void bilinearResizeMatchesPyTorchOnAKnownCase() {
        // F.interpolate(torch.tensor([[[[0., 1.], [2., 3.]]]]), size=(4, 4), mode='bilinear') rows:
        // [0, .25, .75, 1], [.5, .75, 1.25, 1.5], [1.5, 1.75, 2.25, 2.5], [2, 2.25, 2.75, 3]
        float[] out = ExemplarCompression.resizeBilinear(new float[] {0, 1, 2, 3}, 2, 2, 4, 4);
        assertThat(out)
                .containsExactly(
                        new float[] {
                            0f, .25f, .75f, 1f, .5f, .75f, 1.25f, 1.5f, 1.5f, 1.75f, 2.25f, 2.5f, 2f, 2.25f, 2.75f, 3f
                        },
                        org.assertj.core.data.Offset.offset(1e-6f));
    }
}
