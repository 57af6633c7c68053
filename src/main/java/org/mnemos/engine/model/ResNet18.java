package org.mnemos.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;

/**
 * torchvision-style ResNet-18 as PyCIL uses it: stem conv7x7/2 + BN + ReLU + maxpool3x3/2, four
 * stages of two basic blocks (64, 128, 256, 512 channels; conv1x1+BN projection shortcuts), global
 * average pooling → 512 features. {@code optSmallInput(true)} is PyCIL's CIFAR variant: conv3x3/1
 * stem and no maxpool. Intermediates: the four stage outputs.
 */
public final class ResNet18 extends ResidualBackbone {

    private static final byte VERSION = 1;
    private static final int[] STAGE_CHANNELS = {64, 128, 256, 512};
    private static final int BLOCKS_PER_STAGE = 2;
    private static final Shape POOL_KERNEL = new Shape(3, 3);
    private static final Shape POOL_STRIDE = new Shape(2, 2);
    private static final Shape POOL_PADDING = new Shape(1, 1);

    private final boolean smallInput;
    private final boolean lastRelu;
    private final boolean scaled;

    private ResNet18(Builder builder) {
        super(
                VERSION,
                builder.smallInput
                        ? BasicBlock.conv(64, 3, 1, 1, builder.scaled)
                        : BasicBlock.conv(64, 7, 2, 3, builder.scaled),
                STAGE_CHANNELS,
                BLOCKS_PER_STAGE,
                BasicBlock.Shortcut.PROJECTION,
                builder.lastRelu,
                builder.scaled,
                (stage, block) -> "layer" + stage + "_" + block);
        this.smallInput = builder.smallInput;
        this.lastRelu = builder.lastRelu;
        this.scaled = builder.scaled;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Backbone sameArchitecture() {
        return builder()
                .optSmallInput(smallInput)
                .optLastRelu(lastRelu)
                .optScaled(scaled)
                .build();
    }

    @Override
    public Backbone scaledVariant() {
        return builder()
                .optSmallInput(smallInput)
                .optLastRelu(lastRelu)
                .optScaled(true)
                .build();
    }

    public boolean smallInput() {
        return smallInput;
    }

    public boolean lastRelu() {
        return lastRelu;
    }

    @Override
    NDArray afterStem(NDArray x) {
        return smallInput ? x : Pool.maxPool2d(x, POOL_KERNEL, POOL_STRIDE, POOL_PADDING, false);
    }

    @Override
    Shape afterStemShape(Shape shape) {
        return smallInput
                ? shape
                : new Shape(shape.get(0), shape.get(1), (shape.get(2) - 1) / 2 + 1, (shape.get(3) - 1) / 2 + 1);
    }

    /** Defaults: ImageNet stem, final ReLU kept, plain convolutions. */
    public static final class Builder {

        private boolean smallInput;
        private boolean lastRelu = true;
        private boolean scaled;

        private Builder() {}

        /** True for 32x32 inputs: conv3x3/1 stem without maxpool. */
        public Builder optSmallInput(boolean smallInput) {
            this.smallInput = smallInput;
            return this;
        }

        /** False drops the ReLU after the last block (cosine-head variants). */
        public Builder optLastRelu(boolean lastRelu) {
            this.lastRelu = lastRelu;
            return this;
        }

        /** True freezes every kernel and rescales it by a trainable factor (AANets' ss branch). */
        public Builder optScaled(boolean scaled) {
            this.scaled = scaled;
            return this;
        }

        public ResNet18 build() {
            return new ResNet18(this);
        }
    }
}
