package org.mnemos.engine.data;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.util.NDImageUtils;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Random;

/**
 * Turns a uint8 (or float32 in pixel scale) {@code (N, H, W, C)} batch into the float32 {@code (N, C, H, W)} network input:
 * optional augmentation, then scaling to [0, 1] and per-channel normalisation with the data set's
 * usual statistics. Everything runs on the batch's device; every array is attached to the input's
 * manager, so the caller frees it all by closing its per-batch sub-manager. High-resolution data
 * sets (Food-101, ImageNet-100, and an image folder with an image size above {@link #SMALL_IMAGE_MAX})
 * are stored larger than the network input ({@link #storedSide}: 256 for 224) and cropped to it as
 * PyCIL and LUCIR do: RandomResizedCrop + flip in training, the centre crop otherwise, which is
 * Resize(256) + CenterCrop(224) of the original image. The {@code fashion-clutter} stand-in is stored
 * at 128 and fed at 64, its whole image resized when not augmented (the audit's Resize(64) test
 * transform). Class activation maps always read the whole stored image resized to the input
 * ({@link #applyWholeImage}), as CIM's {@code cam_trsf = Resize((224, 224))} does.
 */
public final class BatchTransform {

    /** Images up to this size get pad-and-crop + flip (the CIFAR recipe); larger ones random-resized-crop + flip. */
    public static final int SMALL_IMAGE_MAX = 64;

    public static final int CROP_PADDING = 4;
    /** The square side high-resolution images are stored at: the shorter side resized to it, centre-cropped. */
    public static final int HIGH_RES_STORED_SIZE = 256;
    /** The network input side of high-resolution data sets. */
    public static final int HIGH_RES_CROP_SIZE = 224;
    /** The data sets stored larger than their network input once it exceeds {@link #SMALL_IMAGE_MAX}. */
    private static final java.util.Set<String> HIGH_RES = java.util.Set.of("food101", "imagenet100", "imagefolder");

    private final int height;
    private final int width;
    private final int channels;
    private final int outputSize;
    private final boolean augment;
    /** Without augmentation: resize the whole stored image to the input (true) or take its centre crop. */
    private boolean wholeImage;

    private final float[] mean;
    private final float[] std;
    private float brightness;

    public BatchTransform(int height, int width, int channels, boolean augment, float[] mean, float[] std) {
        this(height, width, channels, 0, augment, mean, std);
    }

    /**
     * @param outputSize the side of the square network input cropped from the stored images, or 0
     *     to keep their size
     */
    public BatchTransform(
            int height, int width, int channels, int outputSize, boolean augment, float[] mean, float[] std) {
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("mean and std need " + channels + " values each");
        }
        if (outputSize < 0 || outputSize > Math.min(height, width)) {
            throw new IllegalArgumentException(
                    "the output side " + outputSize + " must fit into " + height + "x" + width);
        }
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.outputSize = outputSize;
        this.augment = augment;
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /**
     * The side a high-resolution data set's images are stored at for a network input of side
     * {@code inputSide}: in Resize(256) + CenterCrop(224)'s proportion, inputSide · 256/224 rounded
     * (256 for 224), so that the centre crop of the stored square is that of the original image;
     * images up to {@link #SMALL_IMAGE_MAX} are stored at their input side.
     */
    public static int storedSide(int inputSide) {
        return inputSide <= SMALL_IMAGE_MAX
                ? inputSide
                : (int) Math.round(inputSide * (double) HIGH_RES_STORED_SIZE / HIGH_RES_CROP_SIZE);
    }

    /**
     * The network input side of {@code datasetName}'s images stored at {@code storedSide}: the
     * inverse of {@link #storedSide} for the high-resolution data sets (exact, since the stored side
     * grows by 8/7 per unit of the input side and rounding moves it by at most 1/2), the stored side
     * for the others.
     */
    public static int inputSide(String datasetName, int storedSide) {
        if (ClutteredFashion.NAME.equals(datasetName)) {
            return storedSide * ClutteredFashion.INPUT_SIDE / ClutteredFashion.STORED_SIDE;
        }
        if (!HIGH_RES.contains(datasetName) || storedSide <= SMALL_IMAGE_MAX) {
            return storedSide;
        }
        return (int) Math.round(storedSide * (double) HIGH_RES_CROP_SIZE / HIGH_RES_STORED_SIZE);
    }

    /** The transform with the usual normalisation of a catalog data set ({@code imagefolder} uses ImageNet's). */
    public static BatchTransform forDataset(String datasetName, int h, int w, int c, boolean augment) {
        float[][] stats = switch (datasetName) {
            case "mnist" -> new float[][] {{0.1307f}, {0.3081f}};
            case "fashion-mnist" -> new float[][] {{0.2860f}, {0.3530f}};
            case "cifar10" -> new float[][] {{0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}};
            case "cifar100" -> new float[][] {{0.5071f, 0.4865f, 0.4409f}, {0.2673f, 0.2564f, 0.2762f}};
            case "imagefolder", "food101", "imagenet100" ->
                new float[][] {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}};
            case "synthetic" -> new float[][] {{0.5f}, {0.25f}};
            case ClutteredFashion.NAME -> new float[][] {{ClutteredFashion.MEAN}, {ClutteredFashion.STD}};
            default ->
                throw new IllegalArgumentException("no normalisation statistics for data set '" + datasetName + "'");
        };
        int side = Math.min(h, w);
        int input = inputSide(datasetName, side);
        int output = input < side ? input : 0;
        BatchTransform transform = new BatchTransform(
                h, w, c, output, augment, perChannel(stats[0], c, datasetName), perChannel(stats[1], c, datasetName));
        transform.wholeImage = ClutteredFashion.NAME.equals(datasetName);
        return transform;
    }

    /**
     * Adds torchvision's {@code ColorJitter(brightness=b)} after crop and flip, as PyCIL and PODNet
     * train on CIFAR (b = 63/255): each image is scaled by a factor drawn from [max(0, 1−b), 1+b]
     * and, as PIL's blend with black does, truncated to whole grey levels and clipped to [0, 255].
     */
    public BatchTransform withBrightnessJitter(double b) {
        if (!(b >= 0 && b <= 1)) {
            throw new IllegalArgumentException("brightness jitter must lie in [0, 1], got " + b);
        }
        BatchTransform jittered = new BatchTransform(height, width, channels, outputSize, augment, mean, std);
        jittered.brightness = (float) b;
        jittered.wholeImage = wholeImage;
        return jittered;
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    public boolean augments() {
        return augment;
    }

    /** The height of the network input this transform produces. */
    public int outputHeight() {
        return outputSize > 0 ? outputSize : height;
    }

    /** The width of the network input this transform produces. */
    public int outputWidth() {
        return outputSize > 0 ? outputSize : width;
    }

    /** float32 {@code (N, C, H, W)}, normalised; augmented only when {@code train} and this transform augments. */
    public NDArray apply(NDArray uint8Nhwc, boolean train, Random rng) {
        Shape shape = uint8Nhwc.getShape();
        if (shape.dimension() != 4 || shape.get(1) != height || shape.get(2) != width || shape.get(3) != channels) {
            throw new IllegalArgumentException(
                    "expected a (N, " + height + ", " + width + ", " + channels + ") batch, got " + shape);
        }
        NDArray images = uint8Nhwc;
        int outHeight = outputSize > 0 ? outputSize : height;
        int outWidth = outputSize > 0 ? outputSize : width;
        if (train && augment) {
            images = Math.max(height, width) <= SMALL_IMAGE_MAX && outputSize == 0
                    ? randomCropFlip(images, rng)
                    : randomResizedCropFlip(images, rng, outHeight, outWidth);
            if (brightness > 0) {
                images = jitterBrightness(images, rng);
            }
        } else if (outputSize > 0 && wholeImage) {
            images = resizeWhole(images, outHeight, outWidth);
        } else if (outputSize > 0) {
            int top = (height - outHeight) / 2;
            int left = (width - outWidth) / 2;
            images = images.get(new NDIndex(":, {}:{}, {}:{}, :", top, top + outHeight, left, left + outWidth));
        }
        return normalise(images);
    }

    /**
     * float32 {@code (N, C, H, W)}, normalised: the whole stored image bilinearly resized to the network
     * input (no crop), what a class activation map is computed on.
     */
    public NDArray applyWholeImage(NDArray uint8Nhwc) {
        Shape shape = uint8Nhwc.getShape();
        if (shape.dimension() != 4 || shape.get(1) != height || shape.get(2) != width || shape.get(3) != channels) {
            throw new IllegalArgumentException(
                    "expected a (N, " + height + ", " + width + ", " + channels + ") batch, got " + shape);
        }
        return normalise(outputSize > 0 ? resizeWhole(uint8Nhwc, outputSize, outputSize) : uint8Nhwc);
    }

    /** The whole images bilinearly resized (align_corners=False), back in the input's type. */
    private static NDArray resizeWhole(NDArray nhwc, int outHeight, int outWidth) {
        NDArray resized = NDImageUtils.resize(
                nhwc.toType(DataType.FLOAT32, false), outWidth, outHeight, Image.Interpolation.BILINEAR);
        return nhwc.getDataType() == DataType.UINT8
                ? resized.clip(0, 255).round().toType(DataType.UINT8, false)
                : resized;
    }

    private NDArray jitterBrightness(NDArray nhwc, Random rng) {
        int n = (int) nhwc.getShape().get(0);
        float low = Math.max(0f, 1f - brightness);
        float[] factors = new float[n];
        for (int i = 0; i < n; i++) {
            factors[i] = low + rng.nextFloat() * (1f + brightness - low);
        }
        return scaleBrightness(nhwc, factors);
    }

    /** Image i times {@code factors[i]}, truncated and clipped to grey levels (PIL's ImageEnhance.Brightness). */
    static NDArray scaleBrightness(NDArray nhwc, float[] factors) {
        NDArray factor = nhwc.getManager().create(factors).reshape(factors.length, 1, 1, 1);
        return nhwc.toType(DataType.FLOAT32, false).mul(factor).floor().clip(0f, 255f);
    }

    private NDArray normalise(NDArray nhwc) {
        NDManager m = nhwc.getManager();
        // (x/255 - mean)/std == (x - 255*mean) / (255*std); the products are float32 as on the device
        float[] shift = new float[mean.length];
        float[] scale = new float[std.length];
        for (int c = 0; c < mean.length; c++) {
            shift[c] = mean[c] * 255f;
            scale[c] = std[c] * 255f;
        }
        return nhwc.toType(DataType.FLOAT32, false)
                .sub(filled(m, shift))
                .div(filled(m, scale))
                .transpose(0, 3, 1, 2);
    }

    /**
     * A per-channel vector filled on the manager's device: a copy from the host would wait for a GPU's
     * queue to drain on every batch.
     */
    private static NDArray filled(NDManager m, float[] values) {
        NDList parts = new NDList(values.length);
        for (float value : values) {
            parts.add(m.full(new Shape(1), value, DataType.FLOAT32, m.getDevice()));
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts);
    }

    private NDArray randomCropFlip(NDArray batch, Random rng) {
        int n = (int) batch.getShape().get(0);
        int[] dy = new int[n];
        int[] dx = new int[n];
        boolean[] flip = new boolean[n];
        for (int i = 0; i < n; i++) {
            dy[i] = rng.nextInt(2 * CROP_PADDING + 1);
            dx[i] = rng.nextInt(2 * CROP_PADDING + 1);
            flip[i] = rng.nextBoolean();
        }
        return cropFlip(batch, dy, dx, flip);
    }

    /**
     * Zero-pads by {@link #CROP_PADDING}, then takes for sample {@code i} the window starting at
     * {@code (dy[i], dx[i])} of the padded image, mirrored horizontally where {@code flip[i]}: one
     * gather with per-sample linear offsets, no per-pixel host work.
     */
    NDArray cropFlip(NDArray batch, int[] dy, int[] dx, boolean[] flip) {
        NDManager m = batch.getManager();
        int n = (int) batch.getShape().get(0);
        long paddedH = height + 2L * CROP_PADDING;
        long paddedW = width + 2L * CROP_PADDING;
        // torch pad order: last axis first (C: 0,0; W: p,p; H: p,p)
        NDArray padded = batch.pad(new Shape(0, 0, CROP_PADDING, CROP_PADDING, CROP_PADDING, CROP_PADDING), 0);
        long[] sampleOffsets = new long[n];
        long[] flips = new long[n];
        for (int i = 0; i < n; i++) {
            sampleOffsets[i] = ((long) i * paddedH * paddedW + (long) dy[i] * paddedW + dx[i]) * channels;
            flips[i] = flip[i] ? 1 : 0;
        }
        NDArray offsets = m.create(sampleOffsets).reshape(n, 1, 1, 1);
        NDArray rows =
                m.arange(0, height, 1, DataType.INT64).mul(paddedW * channels).reshape(1, height, 1, 1);
        NDArray cols = m.arange(0, width, 1, DataType.INT64).reshape(1, 1, width, 1);
        // Per-sample mirror as index arithmetic: x' = x + flip * (W - 1 - 2x); DJL's where does not broadcast.
        NDArray mirrorShift = cols.mul(-2).add(width - 1);
        NDArray flipMask = m.create(flips).reshape(n, 1, 1, 1);
        NDArray chosenCols = flipMask.mul(mirrorShift).add(cols).mul(channels);
        NDArray chans = m.arange(0, channels, 1, DataType.INT64).reshape(1, 1, 1, channels);
        NDArray linear = offsets.add(rows).add(chosenCols).add(chans);
        return padded.reshape(-1).take(linear);
    }

    /**
     * torchvision's RandomResizedCrop(scale 0.08–1, ratio 3/4–4/3) to {@code outHeight × outWidth} +
     * horizontal flip, per sample on the device.
     */
    private NDArray randomResizedCropFlip(NDArray batch, Random rng, int outHeight, int outWidth) {
        NDManager m = batch.getManager();
        int n = (int) batch.getShape().get(0);
        NDList out = new NDList(n);
        for (int i = 0; i < n; i++) {
            int[] box = resizedCropBox(rng);
            boolean mirror = rng.nextBoolean();
            NDArray crop = batch.get(
                            m, new NDIndex("{}, {}:{}, {}:{}, :", i, box[0], box[0] + box[2], box[1], box[1] + box[3]))
                    .toType(DataType.FLOAT32, false);
            NDArray resized = NDImageUtils.resize(crop, outWidth, outHeight, Image.Interpolation.BILINEAR);
            if (mirror) {
                resized = resized.flip(1);
            }
            out.add(resized);
        }
        // Back to the input's type so normalise() treats both augmentation paths alike.
        NDArray stacked = NDArrays.stack(out);
        return batch.getDataType() == DataType.UINT8
                ? stacked.clip(0, 255).round().toType(DataType.UINT8, false)
                : stacked;
    }

    /** {top, left, cropHeight, cropWidth}. */
    private int[] resizedCropBox(Random rng) {
        double area = (double) height * width;
        for (int attempt = 0; attempt < 10; attempt++) {
            double targetArea = area * (0.08 + rng.nextDouble() * 0.92);
            double logRatio = Math.log(3.0 / 4) + rng.nextDouble() * (Math.log(4.0 / 3) - Math.log(3.0 / 4));
            double ratio = Math.exp(logRatio);
            int w = (int) Math.round(Math.sqrt(targetArea * ratio));
            int h = (int) Math.round(Math.sqrt(targetArea / ratio));
            if (w > 0 && h > 0 && w <= width && h <= height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                return new int[] {top, left, h, w};
            }
        }
        int side = Math.min(height, width);
        return new int[] {(height - side) / 2, (width - side) / 2, side, side};
    }

    private static float[] perChannel(float[] stats, int channels, String datasetName) {
        if (stats.length == channels) {
            return stats;
        }
        if (stats.length == 1) {
            float[] repeated = new float[channels];
            Arrays.fill(repeated, stats[0]);
            return repeated;
        }
        if (channels == 1) {
            // A grey rendering of an RGB data set: average the channel statistics.
            float meanValue = 0;
            for (float s : stats) {
                meanValue += s / stats.length;
            }
            return new float[] {meanValue};
        }
        throw new IllegalArgumentException(
                datasetName + " statistics have " + stats.length + " channels, images have " + channels);
    }
}
