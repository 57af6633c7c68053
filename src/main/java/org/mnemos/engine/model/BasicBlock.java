package org.mnemos.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * ResNet basic block: conv3x3(stride)-BN-ReLU-conv3x3-BN, plus the shortcut, then ReLU (omitted
 * when {@code lastRelu} is false, as in LUCIR's/PODNet's last block).
 */
final class BasicBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    /** How the shortcut matches a change of shape. */
    enum Shortcut {
        IDENTITY,
        /** PyCIL's DownsampleA (option A): subsample by 2 and append zero channels; no parameters. */
        SUBSAMPLE_ZERO_PAD,
        /** torchvision: conv1x1(stride) + BN. */
        PROJECTION
    }

    private final Shortcut shortcut;
    private final boolean lastRelu;
    private final Block convA;
    private final BatchNorm bnA;
    private final Block convB;
    private final BatchNorm bnB;
    private final Block projectionConv;
    private final BatchNorm projectionBn;

    /** @param scaled whether the convolutions are {@link ScaledConv2d} (AANets' stable branch) */
    BasicBlock(int planes, int stride, Shortcut shortcut, boolean lastRelu, boolean scaled) {
        super(VERSION);
        this.shortcut = shortcut;
        this.lastRelu = lastRelu;
        convA = addChildBlock("conv_a", conv(planes, 3, stride, 1, scaled));
        bnA = addChildBlock("bn_a", batchNorm());
        convB = addChildBlock("conv_b", conv(planes, 3, 1, 1, scaled));
        bnB = addChildBlock("bn_b", batchNorm());
        if (shortcut == Shortcut.PROJECTION) {
            projectionConv = addChildBlock("downsample_conv", conv(planes, 1, stride, 0, scaled));
            projectionBn = addChildBlock("downsample_bn", batchNorm());
        } else {
            projectionConv = null;
            projectionBn = null;
        }
    }

    Block convA() {
        return convA;
    }

    BatchNorm bnA() {
        return bnA;
    }

    Block convB() {
        return convB;
    }

    BatchNorm bnB() {
        return bnB;
    }

    /** The projection shortcut's convolution; null unless the shortcut is {@link Shortcut#PROJECTION}. */
    Block projectionConv() {
        return projectionConv;
    }

    BatchNorm projectionBn() {
        return projectionBn;
    }

    /** {@link #conv}, or its frozen and rescaled counterpart when {@code scaled}. */
    static Block conv(int filters, int kernel, int stride, int padding, boolean scaled) {
        return scaled ? new ScaledConv2d(filters, kernel, stride, padding) : conv(filters, kernel, stride, padding);
    }

    /** Bias-free conv with kaiming-normal (fan_out, relu) weights, as PyCIL's ResNets initialise them. */
    static Conv2d conv(int filters, int kernel, int stride, int padding) {
        Conv2d conv = Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(padding, padding))
                .optBias(false)
                .build();
        conv.setInitializer(Inits.kaimingNormalFanOut(), Parameter.Type.WEIGHT);
        return conv;
    }

    /** PyTorch BatchNorm2d: momentum 0.1 (DJL counts it the other way), eps 1e-5, weight 1, bias 0. */
    static BatchNorm batchNorm() {
        return BatchNorm.builder().optMomentum(0.9f).optEpsilon(1e-5f).build();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDArray out = convA.forward(parameterStore, new NDList(x), training).head();
        out = ActivationOverride.relu(BatchNormTap.forward(bnA, parameterStore, out, training), params, this, 0);
        out = convB.forward(parameterStore, new NDList(out), training).head();
        out = BatchNormTap.forward(bnB, parameterStore, out, training);
        NDArray residual = switch (shortcut) {
            case IDENTITY -> x;
            case SUBSAMPLE_ZERO_PAD -> {
                NDArray subsampled = x.get(":, :, ::2, ::2");
                yield subsampled.concat(subsampled.zerosLike(), 1);
            }
            case PROJECTION -> {
                NDArray projected = projectionConv
                        .forward(parameterStore, new NDList(x), training)
                        .head();
                yield BatchNormTap.forward(projectionBn, parameterStore, projected, training);
            }
        };
        NDArray sum = out.add(residual);
        return new NDList(lastRelu ? ActivationOverride.relu(sum, params, this, 1) : sum);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return convB.getOutputShapes(convA.getOutputShapes(inputShapes));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        convA.initialize(manager, dataType, inputShapes);
        Shape[] afterA = convA.getOutputShapes(inputShapes);
        bnA.initialize(manager, dataType, afterA);
        convB.initialize(manager, dataType, afterA);
        bnB.initialize(manager, dataType, convB.getOutputShapes(afterA));
        if (projectionConv != null) {
            projectionConv.initialize(manager, dataType, inputShapes);
            projectionBn.initialize(manager, dataType, projectionConv.getOutputShapes(inputShapes));
        }
    }
}
