package org.mnemos.engine.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;

/**
 * One split held on the device as a single uint8 {@code (N, H, W, C)} array plus int64 labels, so
 * a batch is one gather on the device instead of a host-to-device copy per step. A split with
 * optimised exemplars is held as float32 pixel intensities instead ({@link #ofValues}). Owns a sub-manager
 * of the manager it was created with; closing it frees the device memory.
 */
public final class DeviceDataset implements AutoCloseable {

    private final NDManager manager;
    private final NDArray images;
    private final NDArray labels;
    private final int height;
    private final int width;
    private final int channels;

    private DeviceDataset(NDManager manager, NDArray images, NDArray labels, int height, int width, int channels) {
        this.manager = manager;
        this.images = images;
        this.labels = labels;
        this.height = height;
        this.width = width;
        this.channels = channels;
    }

    public static DeviceDataset of(byte[] pixelsHwc, int[] labels, int h, int w, int c, NDManager manager) {
        long expected = (long) labels.length * h * w * c;
        if (pixelsHwc.length != expected) {
            throw new IllegalArgumentException("pixels has " + pixelsHwc.length + " bytes, expected " + expected);
        }
        NDManager owned = manager.newSubManager();
        try {
            NDArray images =
                    owned.create(ByteBuffer.wrap(pixelsHwc), new Shape(labels.length, h, w, c), DataType.UINT8);
            long[] wide = new long[labels.length];
            for (int i = 0; i < labels.length; i++) {
                wide[i] = labels[i];
            }
            NDArray labelArray = owned.create(wide);
            return new DeviceDataset(owned, images, labelArray, h, w, c);
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    /** A split of float intensities in pixel scale, held as float32 {@code (N, H, W, C)}. */
    public static DeviceDataset ofValues(float[] valuesHwc, int[] labels, int h, int w, int c, NDManager manager) {
        long expected = (long) labels.length * h * w * c;
        if (valuesHwc.length != expected) {
            throw new IllegalArgumentException("values has " + valuesHwc.length + " entries, expected " + expected);
        }
        NDManager owned = manager.newSubManager();
        try {
            NDArray images = owned.create(valuesHwc, new Shape(labels.length, h, w, c));
            long[] wide = new long[labels.length];
            for (int i = 0; i < labels.length; i++) {
                wide[i] = labels[i];
            }
            return new DeviceDataset(owned, images, owned.create(wide), h, w, c);
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    public static DeviceDataset of(ImageDataset data, NDManager manager) {
        return of(data.pixels(), data.labels(), data.height(), data.width(), data.channels(), manager);
    }

    public int size() {
        return (int) labels.size();
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int channels() {
        return channels;
    }

    /** All images, uint8 (or float32, see {@link #ofValues}) {@code (N, H, W, C)}; owned by this data set, do not close. */
    public NDArray images() {
        return images;
    }

    /** All labels (original label ids), int64 {@code (N)}; owned by this data set, do not close. */
    public NDArray labels() {
        return labels;
    }

    /** The {@code (B, H, W, C)} images (uint8 or float32) at the given int64 indices, attached to the indices' manager. */
    public NDArray gather(NDArray indices) {
        return images.get(indices.getManager(), new NDIndex("{}", indices));
    }

    /** The int64 labels at the given indices, attached to the indices' manager. */
    public NDArray gatherLabels(NDArray indices) {
        return labels.get(indices.getManager(), new NDIndex("{}", indices));
    }

    @Override
    public void close() {
        manager.close();
    }
}
