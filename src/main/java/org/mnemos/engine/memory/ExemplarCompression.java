package org.mnemos.engine.memory;

/**
 * CIM's exemplar compression (Luo et al., CVPR 2023), on uint8 HWC images: the tight box of the
 * thresholded mask stays at full resolution, the rest is nearest-downsampled by √ratio per side
 * and nearest-upsampled back when the image is used.
 *
 * <p>Storage follows the authors' {@code BbxBlur} (PIL {@code NEAREST} resizes, which sample pixel
 * centres: source index {@code floor((i + 0.5)·in/out)}); the differentiable hybrid image of CIM
 * training follows their {@code F.interpolate(mode='nearest')} (source index {@code floor(i·in/out)}),
 * see {@link #torchNearestIndex}.
 */
public final class ExemplarCompression {

    private ExemplarCompression() {}

    /** The paper's cost of a compressed image in full-image units. */
    public static double unitCost(double boxFraction, double ratio) {
        return boxFraction + (1.0 - boxFraction) / ratio;
    }

    /** Side of the downsampled image: the authors' {@code int(side / √ratio)}, at least 1. */
    public static int downsampledSide(int side, double ratio) {
        return Math.max(1, (int) (side / Math.sqrt(ratio)));
    }

    /**
     * The tight box {@code (top, bottom, left, right)} of the pixels whose value is above
     * {@code threshold} (OpenCV's THRESH_BINARY on a float32 map: strict, in float), or
     * {@code (0, 0, 0, 0)} when none is.
     */
    public static int[] box(float[] heatmap, int height, int width, double threshold) {
        float level = (float) threshold;
        int top = height;
        int bottom = -1;
        int left = width;
        int right = -1;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (heatmap[y * width + x] > level) {
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y);
                    left = Math.min(left, x);
                    right = Math.max(right, x);
                }
            }
        }
        return bottom < 0 ? new int[] {0, 0, 0, 0} : new int[] {top, bottom + 1, left, right + 1};
    }

    public static CompressedImage compress(
            byte[] image, int offset, int height, int width, int channels, int[] box, float ratio) {
        checkBox(box, height, width);
        int boxHeight = box[1] - box[0];
        int boxWidth = box[3] - box[2];
        byte[] crop = new byte[boxHeight * boxWidth * channels];
        for (int y = 0; y < boxHeight; y++) {
            System.arraycopy(
                    image,
                    offset + ((box[0] + y) * width + box[2]) * channels,
                    crop,
                    y * boxWidth * channels,
                    boxWidth * channels);
        }
        Cells cells = new Cells(height, width, box, ratio);
        byte[] rest = new byte[cells.count * channels];
        int k = 0;
        for (int i = 0; i < cells.rows; i++) {
            for (int j = 0; j < cells.cols; j++) {
                if (cells.needed[i * cells.cols + j]) {
                    int source = offset + (cells.sourceRow[i] * width + cells.sourceCol[j]) * channels;
                    System.arraycopy(image, source, rest, k * channels, channels);
                    k++;
                }
            }
        }
        return new CompressedImage(height, width, channels, ratio, box.clone(), crop, rest);
    }

    /** The full-size image a compressed exemplar stands for: what training and the download use. */
    public static byte[] rebuild(CompressedImage image) {
        int h = image.height();
        int w = image.width();
        int c = image.channels();
        int[] box = image.box();
        Cells cells = new Cells(h, w, box, image.ratio());
        int[] position = new int[cells.rows * cells.cols];
        int k = 0;
        for (int cell = 0; cell < position.length; cell++) {
            position[cell] = cells.needed[cell] ? k++ : -1;
        }
        byte[] out = new byte[h * w * c];
        int boxWidth = image.boxWidth();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int target = (y * w + x) * c;
                if (inside(box, y, x)) {
                    System.arraycopy(image.crop(), ((y - box[0]) * boxWidth + (x - box[2])) * c, out, target, c);
                } else {
                    int cell = cells.cellRow[y] * cells.cols + cells.cellCol[x];
                    System.arraycopy(image.rest(), position[cell] * c, out, target, c);
                }
            }
        }
        return out;
    }

    /** PIL's nearest resize: output index i reads input index floor((i + 0.5)·in/out). */
    static int pilNearestIndex(int i, int in, int out) {
        return Math.min(in - 1, (int) Math.floor((i + 0.5) * in / out));
    }

    /** PyTorch's {@code F.interpolate(mode='nearest')}: floor(i·scale) with a float32 scale in/out. */
    public static int torchNearestIndex(int i, int in, int out) {
        float scale = (float) in / out;
        return Math.min(in - 1, (int) Math.floor(i * scale));
    }

    /**
     * Row-interpolation weights of PyTorch's bilinear resize ({@code align_corners=False}) from
     * {@code in} to {@code out} samples, as an (out, in) matrix: resizing a map is {@code R_h · m · R_wᵀ}.
     */
    public static float[][] bilinearMatrix(int in, int out) {
        float[][] weights = new float[out][in];
        float scale = (float) in / out;
        for (int i = 0; i < out; i++) {
            float source = Math.max(0f, (i + 0.5f) * scale - 0.5f);
            int low = (int) source;
            int high = Math.min(low + 1, in - 1);
            float lambda = source - low;
            weights[i][low] += 1f - lambda;
            weights[i][high] += lambda;
        }
        return weights;
    }

    /** Bilinear resize of a (inH, inW) map to (outH, outW), as PyTorch computes it. */
    public static float[] resizeBilinear(float[] map, int inH, int inW, int outH, int outW) {
        float[][] rows = bilinearMatrix(inH, outH);
        float[][] cols = bilinearMatrix(inW, outW);
        float[] out = new float[outH * outW];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                float sum = 0f;
                for (int i = 0; i < inH; i++) {
                    if (rows[y][i] == 0f) {
                        continue;
                    }
                    float rowSum = 0f;
                    for (int j = 0; j < inW; j++) {
                        rowSum += cols[x][j] * map[i * inW + j];
                    }
                    sum += rows[y][i] * rowSum;
                }
                out[y * outW + x] = sum;
            }
        }
        return out;
    }

    /** Min-max normalisation to [0, 1], as the authors normalise a CAM; a constant map becomes all zeros. */
    public static float[] minMaxNormalise(float[] map) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : map) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float[] out = new float[map.length];
        float range = max - min;
        for (int i = 0; i < map.length; i++) {
            out[i] = range > 0 ? (map[i] - min) / range : 0f;
        }
        return out;
    }

    private static boolean inside(int[] box, int y, int x) {
        return y >= box[0] && y < box[1] && x >= box[2] && x < box[3];
    }

    private static void checkBox(int[] box, int height, int width) {
        if (box.length != 4
                || box[0] < 0
                || box[0] > box[1]
                || box[1] > height
                || box[2] < 0
                || box[2] > box[3]
                || box[3] > width) {
            throw new IllegalArgumentException(
                    "box " + java.util.Arrays.toString(box) + " outside a " + height + "x" + width + " image");
        }
        if ((box[1] - box[0]) * (box[3] - box[2]) == 0
                && !(box[0] == box[1] && box[2] == box[3] && box[0] == 0 && box[2] == 0)) {
            throw new IllegalArgumentException(
                    "an empty box is written (0, 0, 0, 0), got " + java.util.Arrays.toString(box));
        }
    }

    /** The downsampled grid, where each cell samples the image, and which cells the box leaves needed. */
    private static final class Cells {
        final int rows;
        final int cols;
        final int[] sourceRow;
        final int[] sourceCol;
        final int[] cellRow;
        final int[] cellCol;
        final boolean[] needed;
        final int count;

        Cells(int height, int width, int[] box, double ratio) {
            rows = downsampledSide(height, ratio);
            cols = downsampledSide(width, ratio);
            sourceRow = new int[rows];
            sourceCol = new int[cols];
            for (int i = 0; i < rows; i++) {
                sourceRow[i] = pilNearestIndex(i, height, rows);
            }
            for (int j = 0; j < cols; j++) {
                sourceCol[j] = pilNearestIndex(j, width, cols);
            }
            cellRow = new int[height];
            cellCol = new int[width];
            for (int y = 0; y < height; y++) {
                cellRow[y] = pilNearestIndex(y, rows, height);
            }
            for (int x = 0; x < width; x++) {
                cellCol[x] = pilNearestIndex(x, cols, width);
            }
            needed = new boolean[rows * cols];
            int n = 0;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int cell = cellRow[y] * cols + cellCol[x];
                    if (!inside(box, y, x) && !needed[cell]) {
                        needed[cell] = true;
                        n++;
                    }
                }
            }
            count = n;
        }
    }
}
