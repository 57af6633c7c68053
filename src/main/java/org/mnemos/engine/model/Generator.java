package org.mnemos.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The image generator Always Be Dreaming inverts a classifier with (after Fang et al.'s data-free
 * distillation generator, as in GT-RIPL/AlwaysBeDreaming-DFCIL {@code models/generator.py}):
 * z (latentDim) → linear → (width, s, s) → BN → [upsample ×2 → conv3x3 → BN(eps 0.8) → LeakyReLU(0.2)]
 * × upsamplings (the last conv to 64 channels) → conv3x3 → tanh → BN without affine. The variants
 * follow the input side: 32×32 (CIFAR) and 28×28 (MNIST) start at side/4 with 128 channels and
 * upsample twice; 64×64 starts at 8 with 128 channels and upsamples 3 times; 224×224 (ImageNet)
 * starts at 7 with 64 channels and upsamples 5 times. The BN eps of 0.8 is the authors'
 * ({@code nn.BatchNorm2d(128, 0.8)} passes 0.8 as eps).
 */
public final class Generator extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final int LAST_HIDDEN_CHANNELS = 64;
    private static final float HIDDEN_BN_EPSILON = 0.8f;
    private static final float LEAKY_SLOPE = 0.2f;
    private static final int ONEDNN_CHANNEL_BLOCK = 16;

    private final int latentDim;
    private final int channels;
    private final int side;
    private final int startSide;
    private final int width;
    private final Linear project;
    private final BatchNorm projectBn;
    private final List<Conv2d> convs = new ArrayList<>();
    private final List<BatchNorm> bns = new ArrayList<>();
    private final Conv2d toImage;
    private final BatchNorm outputBn;

    private Generator(Builder builder) {
        super(VERSION);
        this.latentDim = builder.latentDim;
        this.channels = builder.channels;
        this.side = builder.side;
        int upsamplings = upsamplings(side);
        this.startSide = side >> upsamplings;
        this.width = side == 224 ? 64 : 128;
        project = addChildBlock(
                "l1",
                Linear.builder().setUnits((long) width * startSide * startSide).build());
        project.setInitializer(Inits.torchLinearDefault(latentDim), Parameter.Type.WEIGHT);
        project.setInitializer(Inits.torchLinearDefault(latentDim), Parameter.Type.BIAS);
        projectBn = addChildBlock("bn0", batchNorm(1e-5f, true));
        int in = width;
        for (int i = 1; i <= upsamplings; i++) {
            int out = i == upsamplings ? LAST_HIDDEN_CHANNELS : width;
            convs.add(addChildBlock("conv" + i, conv(out, in)));
            bns.add(addChildBlock("bn" + i, batchNorm(HIDDEN_BN_EPSILON, true)));
            in = out;
        }
        toImage = addChildBlock("conv_out", conv(channels, in));
        outputBn = addChildBlock("bn_out", batchNorm(1e-5f, false));
    }

    /** Upsamplings of the variant for a square input of {@code side}, or -1 when there is none. */
    public static int upsamplings(int side) {
        if (side == 224) {
            return 5;
        }
        if (side == 64) {
            return 3;
        }
        return side >= 8 && side <= 32 && side % 4 == 0 ? 2 : -1;
    }

    /** Whether a generator variant produces images of this shape. */
    public static boolean supports(int channels, int height, int width) {
        return height == width && upsamplings(height) > 0 && (channels == 1 || channels == 3);
    }

    /** Trainable parameters of the variant for square images of {@code side} (weights and biases, BN scales and shifts). */
    public static long parameterCount(int channels, int side, int latentDim) {
        int upsamplings = upsamplings(side);
        long width = side == 224 ? 64 : 128;
        long projected = width * (side >> upsamplings) * (side >> upsamplings);
        long count = (latentDim + 1L) * projected + 2 * width;
        long in = width;
        for (int i = 1; i <= upsamplings; i++) {
            long out = i == upsamplings ? LAST_HIDDEN_CHANNELS : width;
            count += 9 * in * out + out + 2 * out;
            in = out;
        }
        return count + 9 * in * channels + channels;
    }

    /**
     * Activation elements one image keeps through a forward pass, for memory estimates: the
     * projection and its BN, per stage the upsampled map, convolution, BN and LeakyReLU, and the
     * padded last convolution with its slice, tanh and output BN.
     */
    public static long activationsPerImage(int channels, int side) {
        int upsamplings = upsamplings(side);
        long width = side == 224 ? 64 : 128;
        long size = side >> upsamplings;
        long count = 2 * width * size * size;
        long in = width;
        for (int i = 1; i <= upsamplings; i++) {
            long out = i == upsamplings ? LAST_HIDDEN_CHANNELS : width;
            size *= 2;
            count += (in + 3 * out) * size * size;
            in = out;
        }
        long padded = (channels + ONEDNN_CHANNEL_BLOCK - 1) / ONEDNN_CHANNEL_BLOCK * ONEDNN_CHANNEL_BLOCK;
        return count + (padded + 3L * channels) * size * size;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int latentDim() {
        return latentDim;
    }

    public Shape imageShape(long batch) {
        return new Shape(batch, channels, side, side);
    }

    /** Images (B, C, side, side) for latent codes {@code z} (B, latentDim). */
    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray z = inputs.head();
        NDArray x = project.forward(parameterStore, new NDList(z), training)
                .head()
                .reshape(z.getShape().get(0), width, startSide, startSide);
        x = projectBn.forward(parameterStore, new NDList(x), training).head();
        for (int i = 0; i < convs.size(); i++) {
            x = upsample(x);
            x = convs.get(i).forward(parameterStore, new NDList(x), training).head();
            x = bns.get(i).forward(parameterStore, new NDList(x), training).head();
            x = Activation.leakyRelu(x, LEAKY_SLOPE);
        }
        x = toImage(parameterStore, x, training).tanh();
        return new NDList(
                outputBn.forward(parameterStore, new NDList(x), training).head());
    }

    /**
     * The last convolution, to the image's channels. oneDNN pads a channel count that is not a
     * multiple of {@value #ONEDNN_CHANNEL_BLOCK} up to one, and with several threads the padding of
     * the output gradient is not always zeroed: its backward then multiplies stale memory by the
     * zero-padded weights, and stale NaN bit patterns turn into NaN input gradients (seen on CPU
     * with 1 and 2 output channels, never with 1 thread). So the convolution runs with its filters
     * zero-padded to a full block and keeps the first {@code channels} outputs: the padded outputs'
     * gradients are true zeros and the result is the same convolution.
     */
    private NDArray toImage(ParameterStore parameterStore, NDArray x, boolean training) {
        NDArray weight = parameterStore.getValue(toImage.getParameters().get("weight"), x.getDevice(), training);
        NDArray bias = parameterStore.getValue(toImage.getParameters().get("bias"), x.getDevice(), training);
        long padding = (ONEDNN_CHANNEL_BLOCK - channels % ONEDNN_CHANNEL_BLOCK) % ONEDNN_CHANNEL_BLOCK;
        if (padding > 0) {
            Shape filters = weight.getShape();
            weight = weight.concat(
                    x.getManager()
                            .zeros(
                                    new Shape(padding, filters.get(1), filters.get(2), filters.get(3)),
                                    weight.getDataType(),
                                    x.getDevice()),
                    0);
            bias = bias.concat(x.getManager().zeros(new Shape(padding), bias.getDataType(), x.getDevice()), 0);
        }
        NDArray out = Conv2d.conv2d(x, weight, bias, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                .head();
        return padding > 0 ? out.get(":, 0:{}", channels) : out;
    }

    /** F.interpolate(x, scale_factor=2) (nearest): each pixel becomes a 2×2 block, by broadcasting. */
    static NDArray upsample(NDArray x) {
        Shape shape = x.getShape();
        long n = shape.get(0);
        long c = shape.get(1);
        long h = shape.get(2);
        long w = shape.get(3);
        return x.reshape(n, c, h, 1, w, 1)
                .broadcast(new Shape(n, c, h, 2, w, 2))
                .reshape(n, c, 2 * h, 2 * w);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {imageShape(inputShapes[0].get(0))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        project.initialize(manager, dataType, inputShapes);
        Shape shape = new Shape(batch, width, startSide, startSide);
        projectBn.initialize(manager, dataType, shape);
        long size = startSide;
        for (int i = 0; i < convs.size(); i++) {
            size *= 2;
            Shape input = new Shape(batch, shape.get(1), size, size);
            convs.get(i).initialize(manager, dataType, input);
            shape = convs.get(i).getOutputShapes(new Shape[] {input})[0];
            bns.get(i).initialize(manager, dataType, shape);
        }
        toImage.initialize(manager, dataType, shape);
        outputBn.initialize(manager, dataType, toImage.getOutputShapes(new Shape[] {shape}));
    }

    /** nn.Conv2d(in, out, 3, padding=1) with PyTorch's default init: U(±1/√(in·9)) for weight and bias. */
    private static Conv2d conv(int filters, int inChannels) {
        Conv2d conv = Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(3, 3))
                .optPadding(new Shape(1, 1))
                .optBias(true)
                .build();
        conv.setInitializer(Inits.torchLinearDefault(inChannels * 9L), Parameter.Type.WEIGHT);
        conv.setInitializer(Inits.torchLinearDefault(inChannels * 9L), Parameter.Type.BIAS);
        return conv;
    }

    /** PyTorch BatchNorm2d, momentum 0.1; {@code affine} false has neither scale nor shift. */
    private static BatchNorm batchNorm(float epsilon, boolean affine) {
        return BatchNorm.builder()
                .optMomentum(0.9f)
                .optEpsilon(epsilon)
                .optCenter(affine)
                .optScale(affine)
                .build();
    }

    /** {@code setImageShape} is required; the latent code has 1000 dimensions by default. */
    public static final class Builder {

        private int latentDim = 1000;
        private int channels;
        private int side;

        private Builder() {}

        /** A square image of {@code side} with 1 or 3 channels: 28, 32 (or any multiple of 4 from 8 to 32), 64 or 224. */
        public Builder setImageShape(int channels, int height, int width) {
            this.channels = channels;
            this.side = height == width ? height : -1;
            return this;
        }

        public Builder optLatentDim(int latentDim) {
            this.latentDim = latentDim;
            return this;
        }

        public Generator build() {
            if (latentDim < 1) {
                throw new IllegalArgumentException("latentDim must be positive, got " + latentDim);
            }
            if (!supports(channels, side, side)) {
                throw new IllegalArgumentException("no generator variant for " + channels + "x" + side + "x" + side
                        + " images: square sides 8-32 divisible by 4, 64 or 224, with 1 or 3 channels");
            }
            return new Generator(this);
        }
    }
}
