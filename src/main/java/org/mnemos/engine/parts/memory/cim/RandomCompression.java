package org.mnemos.engine.parts.memory.cim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Random;
import org.mnemos.engine.data.DeviceDataset;
import org.mnemos.engine.memory.CompressedImage;
import org.mnemos.engine.memory.ExemplarCompression;
import org.mnemos.engine.phase.TrainingLoop;

/**
 * CIM's random compression of new-class training images (the authors' {@code DummyDataset} with
 * {@code randombbxblur_class_list} = the new classes): each time a new-class image is drawn into a
 * batch it is replaced, with probability {@link #probability()}, by its compressed version (box
 * kept, the rest downsampled and rebuilt, exactly as an exemplar would be stored) under the boxes of
 * the last {@link #regenerate regeneration}. Before the first regeneration nothing is replaced and no
 * random number is drawn, so a phase shorter than the regeneration interval trains as without it.
 */
final class RandomCompression implements TrainingLoop.Substitution {

    private final NDManager owner;
    private DeviceDataset compressed;
    private int[] compressedRow = new int[0];
    private double probability;
    private long replaced;

    /** @param owner the manager the compressed images are uploaded into (the phase's) */
    RandomCompression(NDManager owner) {
        this.owner = owner;
    }

    /**
     * The epoch at whose start CIM regenerates the boxes: a multiple of {@code every}, neither the
     * first nor the last epoch (the authors' {@code epoch % cam_update_interval == 0 and epoch != 0
     * and epoch != epochs − 1}).
     */
    static boolean regeneratesAt(int epoch, int every, int epochs) {
        return epoch > 0 && epoch % every == 0 && epoch < epochs - 1;
    }

    /** The replacement probability from the start of {@code epoch} on, a regeneration epoch: {@code (epoch / every) · step}. */
    static double probabilityAt(int epoch, int every, double step) {
        return (epoch / every) * step;
    }

    /**
     * New boxes: compresses the images at {@code rows} of the training set (their HWC uint8
     * {@code pixels}, one image per row, with {@code boxes} from the current mask model) and sets the
     * replacement probability.
     *
     * @param size images in the training set the stages draw from
     */
    void regenerate(
            int size,
            int[] rows,
            byte[] pixels,
            int[] labels,
            int[][] boxes,
            int height,
            int width,
            int channels,
            double ratio,
            double probability) {
        int imageBytes = height * width * channels;
        byte[] rebuilt = new byte[pixels.length];
        for (int k = 0; k < rows.length; k++) {
            CompressedImage image = ExemplarCompression.compress(
                    pixels, k * imageBytes, height, width, channels, boxes[k], (float) ratio);
            System.arraycopy(ExemplarCompression.rebuild(image), 0, rebuilt, k * imageBytes, imageBytes);
        }
        close();
        compressed = DeviceDataset.of(rebuilt, labels, height, width, channels, owner);
        compressedRow = new int[size];
        Arrays.fill(compressedRow, -1);
        for (int k = 0; k < rows.length; k++) {
            compressedRow[rows[k]] = k;
        }
        this.probability = probability;
    }

    double probability() {
        return probability;
    }

    /** New-class images fed compressed so far. */
    long replaced() {
        return replaced;
    }

    @Override
    public NDArray apply(long[] indices, NDArray images, Random rng) {
        if (compressed == null || probability <= 0) {
            return images;
        }
        long[] picked = new long[indices.length];
        boolean[] chosen = new boolean[indices.length];
        int count = 0;
        for (int i = 0; i < indices.length; i++) {
            int row = indices[i] < compressedRow.length ? compressedRow[(int) indices[i]] : -1;
            // the authors' test: random.random() + 1e-6 < p
            if (row >= 0 && rng.nextDouble() + 1e-6 < probability) {
                picked[i] = row;
                chosen[i] = true;
                count++;
            }
        }
        if (count == 0) {
            return images;
        }
        replaced += count;
        NDManager manager = images.getManager();
        NDArray alternatives = compressed.gather(manager.create(picked)).toType(images.getDataType(), false);
        NDArray mask = manager.create(chosen)
                .reshape(new Shape(indices.length, 1, 1, 1))
                .broadcast(images.getShape());
        return NDArrays.where(mask, alternatives, images);
    }

    void close() {
        if (compressed != null) {
            compressed.close();
            compressed = null;
        }
    }
}
