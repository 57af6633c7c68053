package org.mnemos.engine.data;

import java.util.SplittableRandom;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.DatasetSpec;

/**
 * {@code fashion-clutter}: a high-resolution stand-in for Food-101 built from Fashion-MNIST, for
 * testing exemplar compression (CIM) where its mechanism applies: one small object in
 * class-independent clutter, stored at twice the network input. Not a replacement for Food-101:
 * grey, ten classes, synthetic clutter.
 *
 * <p>Each image is 128×128 grey (uint8): smooth noise (two octaves of bilinearly upsampled random
 * grids) plus 4–8 random strokes (quadratic curves, 1.5–3.5 px wide), none of which depends on the
 * class, and on it one Fashion-MNIST garment upscaled (bilinear) to a random side of 40–56 px
 * (about 10–19 % of the area) at a random position. The network sees 64×64 (see
 * {@link BatchTransform}). Training images are the first {@code trainPerClass} of each class in the
 * Fashion-MNIST training split, test images the first {@code testPerClass} of each class in its test
 * split; every image's clutter and placement come from a generator seeded by its split and source
 * index alone, so the same source image always gives the same bytes, whatever the counts.
 */
public final class ClutteredFashion {

    public static final String NAME = "fashion-clutter";
    public static final int STORED_SIDE = 128;
    public static final int INPUT_SIDE = 64;
    public static final int DEFAULT_TRAIN_PER_CLASS = 300;
    public static final int DEFAULT_TEST_PER_CLASS = 100;
    public static final int MAX_TRAIN_PER_CLASS = 6000;
    public static final int MAX_TEST_PER_CLASS = 1000;
    /** Mean and standard deviation of the default training split's pixels in [0, 1] (for the input normalisation). */
    public static final float MEAN = 0.2199f;

    public static final float STD = 0.1712f;

    static final int MIN_OBJECT_SIDE = 40;
    static final int MAX_OBJECT_SIDE = 56;
    private static final long TRAIN_SALT = 0x7124_C1A7L;
    private static final long TEST_SALT = 0x7E57_C1A7L;

    private final int trainPerClass;
    private final int testPerClass;

    public ClutteredFashion(int trainPerClass, int testPerClass) {
        if (trainPerClass < 1 || trainPerClass > MAX_TRAIN_PER_CLASS) {
            throw new SpecException(
                    "dataset.syntheticTrainPerClass",
                    "must be between 1 and " + MAX_TRAIN_PER_CLASS + " for " + NAME + ", was " + trainPerClass);
        }
        if (testPerClass < 1 || testPerClass > MAX_TEST_PER_CLASS) {
            throw new SpecException(
                    "dataset.syntheticTestPerClass",
                    "must be between 1 and " + MAX_TEST_PER_CLASS + " for " + NAME + ", was " + testPerClass);
        }
        this.trainPerClass = trainPerClass;
        this.testPerClass = testPerClass;
    }

    /** The stand-in a spec describes: its {@code syntheticTrainPerClass} / {@code syntheticTestPerClass}, or the defaults. */
    public static ClutteredFashion fromSpec(DatasetSpec spec) {
        return new ClutteredFashion(
                spec.syntheticTrainPerClass() == null ? DEFAULT_TRAIN_PER_CLASS : spec.syntheticTrainPerClass(),
                spec.syntheticTestPerClass() == null ? DEFAULT_TEST_PER_CLASS : spec.syntheticTestPerClass());
    }

    public long imageCount(int classes) {
        return (long) classes * (trainPerClass + testPerClass);
    }

    public static String description() {
        return "Fashion-MNIST garments (40-56 px) in class-independent clutter, 128x128 grey stored, 64x64 network input: "
                + "a generated stand-in for Food-101, not a replacement";
    }

    /** The stand-in's splits, rendered from Fashion-MNIST's. */
    public DatasetSplits generate(DatasetSplits fashion) {
        return new DatasetSplits(
                render(fashion.train(), trainPerClass, TRAIN_SALT), render(fashion.test(), testPerClass, TEST_SALT));
    }

    private static ImageDataset render(ImageDataset source, int perClass, long salt) {
        if (source.height() != 28 || source.width() != 28 || source.channels() != 1) {
            throw new IllegalArgumentException("expected 28x28 grey Fashion-MNIST images, got " + source.height() + "x"
                    + source.width() + "x" + source.channels());
        }
        int[] counts = new int[source.numClasses()];
        int[] chosen = new int[source.size()];
        int n = 0;
        for (int i = 0; i < source.size(); i++) {
            int label = source.labels()[i];
            if (counts[label] < perClass) {
                counts[label]++;
                chosen[n++] = i;
            }
        }
        int imageBytes = STORED_SIDE * STORED_SIDE;
        byte[] pixels = new byte[n * imageBytes];
        int[] labels = new int[n];
        for (int k = 0; k < n; k++) {
            int index = chosen[k];
            labels[k] = source.labels()[index];
            float[] image = image(source.pixels(), index * 28 * 28, new SplittableRandom(salt * 1_000_003L + index));
            for (int p = 0; p < imageBytes; p++) {
                pixels[k * imageBytes + p] = (byte) Math.max(0, Math.min(255, Math.round(image[p] * 255f)));
            }
        }
        return new ImageDataset(NAME, pixels, labels, STORED_SIDE, STORED_SIDE, 1, source.classNames());
    }

    /** One image in [0, 1]: clutter, then the garment whose 28×28 bytes start at {@code offset}. */
    static float[] image(byte[] glyphs, int offset, SplittableRandom rng) {
        int side = STORED_SIDE;
        float[] canvas = new float[side * side];
        addSmoothNoise(canvas, 9, 0.10f + 0.30f * (float) rng.nextDouble(), rng);
        addSmoothNoise(canvas, 33, 0.05f + 0.10f * (float) rng.nextDouble(), rng);
        int strokes = 4 + rng.nextInt(5);
        for (int s = 0; s < strokes; s++) {
            drawStroke(canvas, rng);
        }
        int objectSide = MIN_OBJECT_SIDE + rng.nextInt(MAX_OBJECT_SIDE - MIN_OBJECT_SIDE + 1);
        int top = rng.nextInt(side - objectSide + 1);
        int left = rng.nextInt(side - objectSide + 1);
        float[] garment = upscale(glyphs, offset, objectSide);
        for (int y = 0; y < objectSide; y++) {
            for (int x = 0; x < objectSide; x++) {
                float g = garment[y * objectSide + x];
                // the garment is opaque where it is visible: clutter shows only through its faint rim
                float alpha = Math.min(1f, 3f * g);
                int p = (top + y) * side + left + x;
                canvas[p] = alpha * g + (1f - alpha) * canvas[p];
            }
        }
        for (int p = 0; p < canvas.length; p++) {
            canvas[p] = Math.max(0f, Math.min(1f, canvas[p] + 0.02f * (float) gaussian(rng)));
        }
        return canvas;
    }

    /** Adds {@code amplitude} × a random grid of {@code cells}² values in [0, 1), bilinearly upsampled over the canvas. */
    private static void addSmoothNoise(float[] canvas, int cells, float amplitude, SplittableRandom rng) {
        float[] grid = new float[cells * cells];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = (float) rng.nextDouble();
        }
        float[] smooth = bilinear(grid, cells, STORED_SIDE);
        for (int p = 0; p < canvas.length; p++) {
            canvas[p] += amplitude * smooth[p];
        }
    }

    /** A quadratic curve between random points, stamped as discs of one intensity (max blend). */
    private static void drawStroke(float[] canvas, SplittableRandom rng) {
        int side = STORED_SIDE;
        double x0 = rng.nextDouble(side);
        double y0 = rng.nextDouble(side);
        double length = rng.nextDouble(20, 80);
        double angle = rng.nextDouble(2 * Math.PI);
        double x2 = x0 + length * Math.cos(angle);
        double y2 = y0 + length * Math.sin(angle);
        double bend = rng.nextDouble(-0.5, 0.5) * length;
        double x1 = (x0 + x2) / 2 - bend * Math.sin(angle);
        double y1 = (y0 + y2) / 2 + bend * Math.cos(angle);
        double radius = rng.nextDouble(0.75, 1.75);
        float intensity = (float) rng.nextDouble(0.4, 1.0);
        int samples = (int) Math.ceil(length * 2);
        for (int s = 0; s <= samples; s++) {
            double t = (double) s / samples;
            double u = 1 - t;
            double cx = u * u * x0 + 2 * u * t * x1 + t * t * x2;
            double cy = u * u * y0 + 2 * u * t * y1 + t * t * y2;
            int r = (int) Math.ceil(radius);
            for (int y = (int) Math.floor(cy) - r; y <= (int) Math.floor(cy) + r + 1; y++) {
                for (int x = (int) Math.floor(cx) - r; x <= (int) Math.floor(cx) + r + 1; x++) {
                    if (y < 0 || y >= side || x < 0 || x >= side) {
                        continue;
                    }
                    double dy = y + 0.5 - cy;
                    double dx = x + 0.5 - cx;
                    if (dx * dx + dy * dy <= radius * radius) {
                        canvas[y * side + x] = Math.max(canvas[y * side + x], intensity);
                    }
                }
            }
        }
    }

    /** The 28×28 glyph at {@code offset}, in [0, 1], bilinearly resized to {@code side}² (align_corners=False). */
    private static float[] upscale(byte[] glyphs, int offset, int side) {
        float[] glyph = new float[28 * 28];
        for (int p = 0; p < glyph.length; p++) {
            glyph[p] = (glyphs[offset + p] & 0xff) / 255f;
        }
        return bilinear(glyph, 28, side);
    }

    /** A square map bilinearly resized (PyTorch's align_corners=False), separably: columns, then rows. */
    private static float[] bilinear(float[] map, int in, int out) {
        float[][] weights = org.mnemos.engine.memory.ExemplarCompression.bilinearMatrix(in, out);
        int[] low = new int[out];
        float[] lowWeight = new float[out];
        for (int i = 0; i < out; i++) {
            int first = 0;
            while (weights[i][first] == 0f && first < in - 1) {
                first++;
            }
            low[i] = first;
            lowWeight[i] = weights[i][first];
        }
        float[] wide = new float[in * out];
        for (int y = 0; y < in; y++) {
            for (int x = 0; x < out; x++) {
                int j = low[x];
                wide[y * out + x] =
                        lowWeight[x] * map[y * in + j] + (j + 1 < in ? (1f - lowWeight[x]) * map[y * in + j + 1] : 0f);
            }
        }
        float[] result = new float[out * out];
        for (int y = 0; y < out; y++) {
            int i = low[y];
            for (int x = 0; x < out; x++) {
                result[y * out + x] = lowWeight[y] * wide[i * out + x]
                        + (i + 1 < in ? (1f - lowWeight[y]) * wide[(i + 1) * out + x] : 0f);
            }
        }
        return result;
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
