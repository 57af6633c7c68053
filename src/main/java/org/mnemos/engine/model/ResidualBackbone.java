package org.mnemos.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The skeleton the CIFAR ResNet and ResNet-18 share: a conv + BN + ReLU stem (with an optional
 * down-sampling step after it), stages of basic blocks whose first block may stride and change
 * width, and global average pooling. Forward returns the pooled features, then every stage's output.
 */
abstract class ResidualBackbone extends Backbone {

    private final int[] stageChannels;
    private final Block stem;
    private final BatchNorm stemBn;
    private final List<List<BasicBlock>> stages = new ArrayList<>();

    /**
     * @param stageName names a stage's block from (stage, block) — kept per architecture so the
     *     parameter files stay readable next to the papers' code
     * @param lastRelu false drops the ReLU after the very last block (cosine-head variants)
     * @param scaled whether the convolutions are frozen and rescaled (AANets' stable branch); the
     *     stem, built by the subclass, must match
     */
    ResidualBackbone(
            byte version,
            Block stem,
            int[] stageChannels,
            int blocksPerStage,
            BasicBlock.Shortcut downsampling,
            boolean lastRelu,
            boolean scaled,
            StageName stageName) {
        super(version);
        this.stageChannels = stageChannels.clone();
        this.stem = addChildBlock("conv1", stem);
        this.stemBn = addChildBlock("bn1", BasicBlock.batchNorm());
        int inChannels = stageChannels[0];
        for (int s = 0; s < stageChannels.length; s++) {
            int planes = stageChannels[s];
            int stride = s == 0 ? 1 : 2;
            List<BasicBlock> stage = new ArrayList<>(blocksPerStage);
            for (int b = 0; b < blocksPerStage; b++) {
                boolean first = b == 0;
                BasicBlock.Shortcut shortcut =
                        first && (stride != 1 || inChannels != planes) ? downsampling : BasicBlock.Shortcut.IDENTITY;
                boolean veryLast = s == stageChannels.length - 1 && b == blocksPerStage - 1;
                stage.add(addChildBlock(
                        stageName.of(s + 1, b),
                        new BasicBlock(planes, first ? stride : 1, shortcut, !veryLast || lastRelu, scaled)));
            }
            stages.add(stage);
            inChannels = planes;
        }
    }

    @FunctionalInterface
    interface StageName {
        String of(int stage, int block);
    }

    @Override
    public int featureDim() {
        return stageChannels[stageChannels.length - 1];
    }

    /** The stem's convolution (a {@code Conv2d}, or a {@code ScaledConv2d} in a scaled variant). */
    Block stem() {
        return stem;
    }

    BatchNorm stemBn() {
        return stemBn;
    }

    /** The blocks per stage, shallow to deep. */
    List<List<BasicBlock>> stages() {
        return stages;
    }

    /** What follows the stem's ReLU (ResNet-18's max pooling); identity by default. */
    NDArray afterStem(NDArray x) {
        return x;
    }

    Shape afterStemShape(Shape shape) {
        return shape;
    }

    @Override
    public int levels() {
        return stages.size();
    }

    @Override
    public NDArray forwardLevel(ParameterStore parameterStore, int level, NDArray x, boolean training) {
        return forwardLevel(parameterStore, level, x, training, null);
    }

    /** @param params may carry an {@link ActivationOverride} for every ReLU of the level */
    private NDArray forwardLevel(
            ParameterStore parameterStore, int level, NDArray x, boolean training, PairList<String, Object> params) {
        if (level == 0) {
            x = stem.forward(parameterStore, new NDList(x), training).head();
            x = afterStem(ActivationOverride.relu(
                    BatchNormTap.forward(stemBn, parameterStore, x, training), params, this, 0));
        }
        for (BasicBlock block : stages.get(level)) {
            x = block.forward(parameterStore, new NDList(x), training, params).head();
        }
        return x;
    }

    /** Global average pooling: PyCIL's AvgPool2d(8) on 32x32 CIFAR inputs, and any size else. */
    @Override
    public NDArray features(NDArray lastLevel) {
        return Pool.globalAvgPool2d(lastLevel);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDList out = new NDList(stages.size() + 1);
        out.add(null);
        for (int level = 0; level < stages.size(); level++) {
            x = forwardLevel(parameterStore, level, x, training, params);
            out.add(x);
        }
        out.set(0, features(x));
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = {afterStemShape(stem.getOutputShapes(inputShapes)[0])};
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
        Shape stemShape = stem.getOutputShapes(inputShapes)[0];
        stemBn.initialize(manager, dataType, stemShape);
        Shape[] shapes = {afterStemShape(stemShape)};
        for (List<BasicBlock> stage : stages) {
            for (BasicBlock block : stage) {
                block.initialize(manager, dataType, shapes);
                shapes = block.getOutputShapes(shapes);
            }
        }
    }
}
