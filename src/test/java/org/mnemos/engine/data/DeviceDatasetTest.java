package org.mnemos.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceDatasetTest {

    private static ImageDataset numbered(int n, int h, int w, int c) {
        byte[] pixels = new byte[n * h * w * c];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i / (h * w * c) * 10 + i % 7);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
        }
        return new ImageDataset("t", pixels, labels, h, w, c, List.of("a", "b", "c"));
    }

    @Test
    void gatherSelectsWholeImagesAlongTheFirstAxis() {
        ImageDataset data = numbered(6, 2, 3, 2);
        try (NDManager manager = NDManager.newBaseManager();
                DeviceDataset device = DeviceDataset.of(data, manager)) {
            assertThat(device.size()).isEqualTo(6);
            assertThat(device.images().getShape()).isEqualTo(new Shape(6, 2, 3, 2));
            assertThat(device.images().getDataType()).isEqualTo(DataType.UINT8);
            assertThat(device.labels().getDataType()).isEqualTo(DataType.INT64);
            try (NDManager batch = manager.newSubManager()) {
                NDArray indices = batch.create(new long[] {4, 1, 4});
                NDArray images = device.gather(indices);
                assertThat(images.getShape()).isEqualTo(new Shape(3, 2, 3, 2));
                assertThat(images.getManager()).isSameAs(batch);
                ImageDataset expected = data.subset(new int[] {4, 1, 4});
                assertThat(images.toByteArray()).isEqualTo(expected.pixels());
                // DJL's get(NDArray) on the PyTorch engine also indexes axis 0 (it lands on the data set's manager,
                // hence gather)
                NDArray plain = device.images().get(indices);
                assertThat(plain.toByteArray()).isEqualTo(expected.pixels());
                plain.close();
                NDArray labels = device.gatherLabels(indices);
                assertThat(labels.toLongArray()).containsExactly(1, 1, 1);
                assertThat(labels.getManager()).isSameAs(batch);
            }
            // The data set's own arrays survive the batch manager.
            assertThat(device.images().toByteArray()).isEqualTo(data.pixels());
        }
    }

    @Test
    void subsetAndLabelSelection() {
        ImageDataset data = numbered(6, 2, 2, 1);
        int[] indices = data.indicesOfLabels(List.of(0, 2));
        assertThat(indices).containsExactly(0, 2, 3, 5);
        ImageDataset selected = data.withLabels(List.of(2));
        assertThat(selected.labels()).containsExactly(2, 2);
        assertThat(selected.pixels()[0]).isEqualTo(data.pixels()[2 * 4]);
        assertThat(selected.pixels()[4]).isEqualTo(data.pixels()[5 * 4]);
    }
}
