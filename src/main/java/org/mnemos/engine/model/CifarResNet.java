package org.mnemos.engine.model;

/**
 * The CIFAR ResNet of LUCIR/PyCIL ({@code resnet32} with 5 blocks per stage): conv3x3 16 + BN +
 * ReLU, three stages of basic blocks with 16/32/64 channels (the 2nd and 3rd start with stride 2 and
 * a shortcut that matches the shape: PyCIL's parameter-free subsample + zero-pad, "option A", or
 * LUCIR's and PyCIL's {@code cosine_resnet32} conv1x1 + BN projection, "option B"), global average
 * pooling → 64 features.
 * Intermediates: the three stage outputs.
 */
public final class CifarResNet extends ResidualBackbone {

    private static final byte VERSION = 1;
    private static final int[] STAGE_CHANNELS = {16, 32, 64};

    private final int blocksPerStage;
    private final boolean lastRelu;
    private final boolean scaled;
    private final boolean projectionShortcut;

    private CifarResNet(Builder builder) {
        super(
                VERSION,
                BasicBlock.conv(16, 3, 1, 1, builder.scaled),
                STAGE_CHANNELS,
                builder.blocksPerStage,
                builder.projectionShortcut ? BasicBlock.Shortcut.PROJECTION : BasicBlock.Shortcut.SUBSAMPLE_ZERO_PAD,
                builder.lastRelu,
                builder.scaled,
                (stage, block) -> "stage_" + stage + "_" + block);
        this.blocksPerStage = builder.blocksPerStage;
        this.lastRelu = builder.lastRelu;
        this.scaled = builder.scaled;
        this.projectionShortcut = builder.projectionShortcut;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Backbone sameArchitecture() {
        return builder()
                .optBlocksPerStage(blocksPerStage)
                .optLastRelu(lastRelu)
                .optScaled(scaled)
                .optProjectionShortcut(projectionShortcut)
                .build();
    }

    @Override
    public Backbone scaledVariant() {
        return builder()
                .optBlocksPerStage(blocksPerStage)
                .optLastRelu(lastRelu)
                .optScaled(true)
                .optProjectionShortcut(projectionShortcut)
                .build();
    }

    public int blocksPerStage() {
        return blocksPerStage;
    }

    public boolean lastRelu() {
        return lastRelu;
    }

    public boolean projectionShortcut() {
        return projectionShortcut;
    }

    /** Defaults: 5 blocks per stage (ResNet-32), final ReLU kept, plain convolutions, zero-pad shortcuts. */
    public static final class Builder {

        private int blocksPerStage = 5;
        private boolean lastRelu = true;
        private boolean scaled;
        private boolean projectionShortcut;

        private Builder() {}

        public Builder optBlocksPerStage(int blocksPerStage) {
            this.blocksPerStage = blocksPerStage;
            return this;
        }

        /** False drops the ReLU after the last block (LUCIR/PODNet with cosine heads). */
        public Builder optLastRelu(boolean lastRelu) {
            this.lastRelu = lastRelu;
            return this;
        }

        /** True freezes every kernel and rescales it by a trainable factor (AANets' ss branch). */
        public Builder optScaled(boolean scaled) {
            this.scaled = scaled;
            return this;
        }

        /** True gives the downsampling blocks a conv1x1 + BN projection shortcut (option B) instead of zero padding. */
        public Builder optProjectionShortcut(boolean projectionShortcut) {
            this.projectionShortcut = projectionShortcut;
            return this;
        }

        public CifarResNet build() {
            if (blocksPerStage < 1) {
                throw new IllegalArgumentException("blocksPerStage must be at least 1, got " + blocksPerStage);
            }
            return new CifarResNet(this);
        }
    }
}
