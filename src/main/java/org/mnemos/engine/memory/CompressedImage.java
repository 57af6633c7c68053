package org.mnemos.engine.memory;

/**
 * One exemplar as CIM stores it (Luo et al., CVPR 2023): the tight box of its mask at full
 * resolution, and the image nearest-downsampled by √ratio per side with only the cells that
 * some pixel outside the box needs. {@code box} is {@code (top, bottom, left, right)}, bottom and
 * right exclusive, as the authors' {@code bbx}; an empty box keeps no full-resolution pixel.
 *
 * @param crop the box's pixels, HWC
 * @param rest the needed cells of the downsampled image in raster order, C values each
 */
public record CompressedImage(int height, int width, int channels, float ratio, int[] box, byte[] crop, byte[] rest) {

    /** Bytes of a stored label (int32). */
    public static final int LABEL_BYTES = 4;
    /** Bytes of a stored box: four uint16 coordinates. */
    public static final int BOX_BYTES = 8;

    public int boxHeight() {
        return box[1] - box[0];
    }

    public int boxWidth() {
        return box[3] - box[2];
    }

    /** The box's share of the image area. */
    public double boxFraction() {
        return (double) boxHeight() * boxWidth() / ((double) height * width);
    }

    /** The paper's cost in full-image units: {@code box + (1 − box)/r}. */
    public double unitCost() {
        return ExemplarCompression.unitCost(boxFraction(), ratio);
    }

    /** What storing this exemplar takes: its pixel arrays, its box and its label. */
    public long storedBytes() {
        return (long) crop.length + rest.length + BOX_BYTES + LABEL_BYTES;
    }
}
