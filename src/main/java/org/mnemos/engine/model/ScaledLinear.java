package org.mnemos.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * The MLP's counterpart of {@link ScaledConv2d} (our extension of AANets' stable branch): a fully
 * connected layer whose weight matrix is frozen and whose rows are rescaled by a trainable factor
 * per output unit (initialised to 1); the bias trains, as the frozen bias plus the trainable shift
 * of {@code Conv2dMtl} would. Parameters {@code weight}, {@code bias} and {@code scale}, so a
 * plain {@link Linear} loads into this one by name.
 */
final class ScaledLinear extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int units;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter scale;

    ScaledLinear(int units, long fanIn) {
        super(VERSION);
        this.units = units;
        this.weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optInitializer(Inits.torchLinearDefault(fanIn))
                .optRequiresGrad(false)
                .build());
        this.bias = addParameter(Parameter.builder()
                .setName("bias")
                .setType(Parameter.Type.BIAS)
                .optInitializer(Inits.torchLinearDefault(fanIn))
                .build());
        this.scale = addParameter(Parameter.builder()
                .setName("scale")
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(units, 1))
                .optInitializer(Initializer.ONES)
                .build());
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        weight.setShape(new Shape(units, inputShapes[0].get(1)));
        bias.setShape(new Shape(units));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDArray rows = parameterStore.getValue(weight, x.getDevice(), training);
        NDArray scales = parameterStore.getValue(scale, x.getDevice(), training);
        NDArray scaled = rows.mul(scales);
        scaled.attach(x.getManager());
        return Linear.linear(x, scaled, parameterStore.getValue(bias, x.getDevice(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), units)};
    }
}
