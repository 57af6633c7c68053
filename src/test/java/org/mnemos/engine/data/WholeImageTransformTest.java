package org.mnemos.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What a class activation map is computed on: the whole stored image resized to the network input
 * (CIM's {@code cam_trsf = Resize}), not the evaluation's centre crop, so the map covers every pixel a
 * box is cut from. On the stand-in, evaluation resizes the whole image too.
 */
class WholeImageTransformTest {

    /** A stored batch of one black image with a white square in its top-left corner (outside every centre crop). */
    private static NDArray cornerSquare(NDManager m, int side, int square) {
        byte[] pixels = new byte[side * side];
        for (int y = 0; y < square; y++) {
            for (int x = 0; x < square; x++) {
                pixels[y * side + x] = (byte) 255;
            }
        }
        return m.create(java.nio.ByteBuffer.wrap(pixels), new Shape(1, side, side, 1), DataType.UINT8)
                .toDevice(Device.cpu(), false);
    }

    @Test
    void camInputsSeeTheWholeStoredImageOfAHighResolutionDataSet() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            // an image folder stored at 256 for a 224 input: evaluation crops the centre, the CAM input is the whole
            // image
            BatchTransform folder = BatchTransform.forDataset("imagefolder", 256, 256, 1, false);
            NDArray batch = cornerSquare(m, 256, 16);
            float[] cam = folder.applyWholeImage(batch).toFloatArray();
            float[] eval = folder.apply(batch, false, new Random(0)).toFloatArray();
            float white = (1f - folder.mean()[0]) / folder.std()[0];
            float black = (0f - folder.mean()[0]) / folder.std()[0];
            assertThat(cam).hasSize(224 * 224);
            assertThat(cam[0]).isCloseTo(white, within(1e-3f));
            assertThat(eval[0]).isCloseTo(black, within(1e-3f));
        }
    }

    @Test
    void theStandInIsResizedWholeForEvaluationAndCams() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            BatchTransform clutter = BatchTransform.forDataset(ClutteredFashion.NAME, 128, 128, 1, false);
            NDArray batch = cornerSquare(m, 128, 8);
            float[] eval = clutter.apply(batch, false, new Random(0)).toFloatArray();
            float[] cam = clutter.applyWholeImage(batch).toFloatArray();
            assertThat(eval).hasSize(64 * 64).containsExactly(cam);
            float white = (1f - ClutteredFashion.MEAN) / ClutteredFashion.STD;
            float black = -ClutteredFashion.MEAN / ClutteredFashion.STD;
            // the 8-pixel square becomes 4 pixels at half resolution (an antialiased resize, as PIL's: its rim blends)
            assertThat(eval[2]).isCloseTo(white, within(1e-3f));
            assertThat(eval[2 * 64 + 2]).isCloseTo(white, within(1e-3f));
            assertThat(eval[5]).isCloseTo(black, within(1e-3f));
            assertThat(eval[5 * 64]).isCloseTo(black, within(1e-3f));
        }
    }
}
