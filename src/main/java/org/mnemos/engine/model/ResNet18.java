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
 * torchvision-style ResNet-18 as PyCIL uses it: stem conv7x7/2 + BN + ReLU + maxpool3x3/2, four
 * stages of two basic blocks (64, 128, 256, 512 channels; conv1x1+BN projection shortcuts), global
 * average pooling → 512 features. {@code optSmallInput(true)} is PyCIL's CIFAR variant: conv3x3/1
 * stem and no maxpool. Intermediates: the four stage outputs.
 */
public final class ResNet18 extends Backbone {

    private static final byte VERSION = 1;
    private static final int[] STAGE_CHANNELS = {64, 128, 256, 512};
    private static final int BLOCKS_PER_STAGE = 2;
    private static final Shape POOL_KERNEL = new Shape(3, 3);
    private static final Shape POOL_STRIDE = new Shape(2, 2);
    private static final Shape POOL_PADDING = new Shape(1, 1);

    private final boolean smallInput;
    private final boolean lastRelu;
    private final Conv2d stem;
    private final BatchNorm stemBn;
    private final List<List<BasicBlock>> stages = new ArrayList<>();

    private ResNet18(Builder builder) {
        super(VERSION);
        this.smallInput = builder.smallInput;
        this.lastRelu = builder.lastRelu;
        stem = addChildBlock("conv1", smallInput ? BasicBlock.conv(64, 3, 1, 1) : BasicBlock.conv(64, 7, 2, 3));
        stemBn = addChildBlock("bn1", BasicBlock.batchNorm());
        int inChannels = 64;
        for (int s = 0; s < STAGE_CHANNELS.length; s++) {
            int planes = STAGE_CHANNELS[s];
            int stride = s == 0 ? 1 : 2;
            List<BasicBlock> stage = new ArrayList<>(BLOCKS_PER_STAGE);
            for (int b = 0; b < BLOCKS_PER_STAGE; b++) {
                boolean first = b == 0;
                BasicBlock.Shortcut shortcut = first && (stride != 1 || inChannels != planes)
                        ? BasicBlock.Shortcut.PROJECTION
                        : BasicBlock.Shortcut.IDENTITY;
                boolean veryLast = s == STAGE_CHANNELS.length - 1 && b == BLOCKS_PER_STAGE - 1;
                stage.add(addChildBlock(
                        "layer" + (s + 1) + "_" + b,
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
        return builder().optSmallInput(smallInput).optLastRelu(lastRelu).build();
    }

    public boolean smallInput() {
        return smallInput;
    }

    public boolean lastRelu() {
        return lastRelu;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = stem.forward(parameterStore, inputs, training).head();
        x = Activation.relu(stemBn.forward(parameterStore, new NDList(x), training).head());
        if (!smallInput) {
            x = Pool.maxPool2d(x, POOL_KERNEL, POOL_STRIDE, POOL_PADDING, false);
        }
        NDList out = new NDList(stages.size() + 1);
        out.add(null);
        for (List<BasicBlock> stage : stages) {
            for (BasicBlock block : stage) {
                x = block.forward(parameterStore, new NDList(x), training).head();
            }
            out.add(x);
        }
        out.set(0, Pool.globalAvgPool2d(x));
        return out;
    }

    private Shape[] stemOutputShapes(Shape[] inputShapes) {
        Shape shape = stem.getOutputShapes(inputShapes)[0];
        if (!smallInput) {
            shape = new Shape(shape.get(0), shape.get(1), (shape.get(2) - 1) / 2 + 1, (shape.get(3) - 1) / 2 + 1);
        }
        return new Shape[] {shape};
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = stemOutputShapes(inputShapes);
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
        stemBn.initialize(manager, dataType, stem.getOutputShapes(inputShapes));
        Shape[] shapes = stemOutputShapes(inputShapes);
        for (List<BasicBlock> stage : stages) {
            for (BasicBlock block : stage) {
                block.initialize(manager, dataType, shapes);
                shapes = block.getOutputShapes(shapes);
            }
        }
    }

    /** Defaults: ImageNet stem, final ReLU kept. */
    public static final class Builder {

        private boolean smallInput;
        private boolean lastRelu = true;

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

        public ResNet18 build() {
            return new ResNet18(this);
        }
    }
}
