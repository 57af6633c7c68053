package org.mnemos.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The CIFAR ResNet of LUCIR/PyCIL ({@code resnet32} with 5 blocks per stage): conv3x3 16 + BN +
 * ReLU, three stages of basic blocks with 16/32/64 channels (the 2nd and 3rd start with stride 2 and
 * a parameter-free subsample + zero-pad shortcut), global average pooling → 64 features.
 * Intermediates: the three stage outputs.
 */
public final class CifarResNet extends Backbone {

    private static final byte VERSION = 1;
    private static final int[] STAGE_CHANNELS = {16, 32, 64};

    private final int blocksPerStage;
    private final boolean lastRelu;
    private final Conv2d stem;
    private final BatchNorm stemBn;
    private final List<List<BasicBlock>> stages = new ArrayList<>();

    private CifarResNet(Builder builder) {
        super(VERSION);
        this.blocksPerStage = builder.blocksPerStage;
        this.lastRelu = builder.lastRelu;
        stem = addChildBlock("conv_1_3x3", BasicBlock.conv(16, 3, 1, 1));
        stemBn = addChildBlock("bn_1", BasicBlock.batchNorm());
        int inChannels = 16;
        for (int s = 0; s < STAGE_CHANNELS.length; s++) {
            int planes = STAGE_CHANNELS[s];
            int stride = s == 0 ? 1 : 2;
            List<BasicBlock> stage = new ArrayList<>(blocksPerStage);
            for (int b = 0; b < blocksPerStage; b++) {
                boolean first = b == 0;
                BasicBlock.Shortcut shortcut = first && (stride != 1 || inChannels != planes)
                        ? BasicBlock.Shortcut.SUBSAMPLE_ZERO_PAD
                        : BasicBlock.Shortcut.IDENTITY;
                boolean veryLast = s == STAGE_CHANNELS.length - 1 && b == blocksPerStage - 1;
                stage.add(addChildBlock(
                        "stage_" + (s + 1) + "_" + b,
                        new BasicBlock(planes, first ? stride : 1, shortcut, !veryLast || lastRelu)));
            }
            stages.add(stage);
            inChannels = planes;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public int featureDim() {
        return STAGE_CHANNELS[STAGE_CHANNELS.length - 1];
    }

    @Override
    public Backbone sameArchitecture() {
        return builder().optBlocksPerStage(blocksPerStage).optLastRelu(lastRelu).build();
    }

    public int blocksPerStage() {
        return blocksPerStage;
    }

    public boolean lastRelu() {
        return lastRelu;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = stem.forward(parameterStore, inputs, training).head();
        x = Activation.relu(stemBn.forward(parameterStore, new NDList(x), training).head());
        NDList out = new NDList(stages.size() + 1);
        out.add(null);
        for (List<BasicBlock> stage : stages) {
            for (BasicBlock block : stage) {
                x = block.forward(parameterStore, new NDList(x), training).head();
            }
            out.add(x);
        }
        // Global average pooling; equals PyCIL's AvgPool2d(8) on 32x32 inputs and also works on 28x28.
        out.set(0, Pool.globalAvgPool2d(x));
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = stemBn.getOutputShapes(stem.getOutputShapes(inputShapes));
        Shape[] out = new Shape[stages.size() + 1];
        for (int s = 0; s < stages.size(); s++) {
            for (BasicBlock block : stages.get(s)) {
                shapes = block.getOutputShapes(shapes);
            }
            out[s + 1] = shapes[0];
        }
        out[0] = new Shape(inputShapes[0].get(0), featureDim());
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        stem.initialize(manager, dataType, inputShapes);
        Shape[] shapes = stem.getOutputShapes(inputShapes);
        stemBn.initialize(manager, dataType, shapes);
        for (List<BasicBlock> stage : stages) {
            for (BasicBlock block : stage) {
                block.initialize(manager, dataType, shapes);
                shapes = block.getOutputShapes(shapes);
            }
        }
    }

    /** Defaults: 5 blocks per stage (ResNet-32), final ReLU kept. */
    public static final class Builder {

        private int blocksPerStage = 5;
        private boolean lastRelu = true;

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

        public CifarResNet build() {
            if (blocksPerStage < 1) {
                throw new IllegalArgumentException("blocksPerStage must be at least 1, got " + blocksPerStage);
            }
            return new CifarResNet(this);
        }
    }
}
