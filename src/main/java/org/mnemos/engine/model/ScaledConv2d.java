package org.mnemos.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * A bias-free convolution whose kernel is frozen and rescaled by a trainable factor per (output,
 * input) channel pair, of shape (out, in, 1, 1) and initialised to 1: the effective kernel is
 * {@code weight * scale} broadcast over the spatial dimensions (AANets' {@code Conv2dMtl}, after
 * meta-transfer learning). The parameters are named {@code weight} and {@code scale}, so a plain
 * {@link Conv2d}'s weight loads into this one by name.
 */
final class ScaledConv2d extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int filters;
    private final Shape kernel;
    private final Shape stride;
    private final Shape padding;
    private final Parameter weight;
    private final Parameter scale;

    ScaledConv2d(int filters, int kernel, int stride, int padding) {
        super(VERSION);
        this.filters = filters;
        this.kernel = new Shape(kernel, kernel);
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
        this.weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optInitializer(Inits.kaimingNormalFanOut())
                .optRequiresGrad(false)
                .build());
        this.scale = addParameter(Parameter.builder()
                .setName("scale")
                .setType(Parameter.Type.OTHER)
                .optInitializer(Initializer.ONES)
                .build());
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        long inChannels = inputShapes[0].get(1);
        weight.setShape(new Shape(filters, inChannels, kernel.get(0), kernel.get(1)));
        scale.setShape(new Shape(filters, inChannels, 1, 1));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDArray kernelWeights = parameterStore.getValue(weight, x.getDevice(), training);
        NDArray scales = parameterStore.getValue(scale, x.getDevice(), training);
        NDArray scaled = kernelWeights.mul(scales);
        // the product attaches to the parameters' long-lived manager; the batch owns it
        scaled.attach(x.getManager());
        return Conv2d.conv2d(x, scaled, null, stride, padding, new Shape(1, 1), 1);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long height = (in.get(2) + 2 * padding.get(0) - kernel.get(0)) / stride.get(0) + 1;
        long width = (in.get(3) + 2 * padding.get(1) - kernel.get(1)) / stride.get(1) + 1;
        return new Shape[] {new Shape(in.get(0), filters, height, width)};
    }
}
