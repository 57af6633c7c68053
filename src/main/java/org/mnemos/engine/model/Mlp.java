package org.mnemos.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * Multi-layer perceptron on the flattened input: Linear + ReLU per hidden layer. Its features are
 * the last hidden activations; the intermediates of forward are all hidden activations. Each
 * hidden layer is one level for AANets; its scaled variant (our extension of AANets to the MLP)
 * freezes the weight matrices and rescales each output unit.
 */
public final class Mlp extends Backbone {

    private static final byte VERSION = 1;

    private final int inputSize;
    private final List<Integer> hiddenUnits;
    private final boolean scaled;
    private final List<Block> layers = new ArrayList<>();

    private Mlp(Builder builder) {
        super(VERSION);
        this.inputSize = builder.inputSize;
        this.hiddenUnits = List.copyOf(builder.hiddenUnits);
        this.scaled = builder.scaled;
        long fanIn = inputSize;
        for (int i = 0; i < hiddenUnits.size(); i++) {
            layers.add(addChildBlock(
                    "fc" + i,
                    scaled ? new ScaledLinear(hiddenUnits.get(i), fanIn) : linear(hiddenUnits.get(i), fanIn)));
            fanIn = hiddenUnits.get(i);
        }
    }

    private static Linear linear(int units, long fanIn) {
        Linear layer = Linear.builder().setUnits(units).optBias(true).build();
        layer.setInitializer(Inits.torchLinearDefault(fanIn), Parameter.Type.WEIGHT);
        layer.setInitializer(Inits.torchLinearDefault(fanIn), Parameter.Type.BIAS);
        return layer;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public int featureDim() {
        return hiddenUnits.get(hiddenUnits.size() - 1);
    }

    @Override
    public Backbone sameArchitecture() {
        return builder()
                .setInputSize(inputSize)
                .optHiddenUnits(hiddenUnits)
                .optScaled(scaled)
                .build();
    }

    @Override
    public Backbone scaledVariant() {
        return builder()
                .setInputSize(inputSize)
                .optHiddenUnits(hiddenUnits)
                .optScaled(true)
                .build();
    }

    public int inputSize() {
        return inputSize;
    }

    public List<Integer> hiddenUnits() {
        return hiddenUnits;
    }

    /** The hidden layers ({@code Linear}, or {@code ScaledLinear} in a scaled variant). */
    List<Block> layers() {
        return layers;
    }

    @Override
    public int levels() {
        return layers.size();
    }

    @Override
    public NDArray forwardLevel(ParameterStore parameterStore, int level, NDArray x, boolean training) {
        if (level == 0) {
            x = x.reshape(x.getShape().get(0), -1);
        }
        return Activation.relu(layers.get(level)
                .forward(parameterStore, new NDList(x), training)
                .head());
    }

    @Override
    public NDArray features(NDArray lastLevel) {
        return lastLevel;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDList hidden = new NDList(layers.size());
        for (int level = 0; level < layers.size(); level++) {
            x = forwardLevel(parameterStore, level, x, training);
            hidden.add(x);
        }
        NDList out = new NDList(layers.size() + 1);
        out.add(features(x));
        out.addAll(hidden);
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long batch = inputShapes[0].get(0);
        Shape[] out = new Shape[hiddenUnits.size() + 1];
        out[0] = new Shape(batch, featureDim());
        for (int i = 0; i < hiddenUnits.size(); i++) {
            out[i + 1] = new Shape(batch, hiddenUnits.get(i));
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape shape = new Shape(inputShapes[0].get(0), inputSize);
        for (Block layer : layers) {
            layer.initialize(manager, dataType, shape);
            shape = layer.getOutputShapes(new Shape[] {shape})[0];
        }
    }

    /** {@code setInputSize} is required (flattened C·H·W); hidden units default to 400, 400; plain layers. */
    public static final class Builder {

        private int inputSize;
        private List<Integer> hiddenUnits = List.of(400, 400);
        private boolean scaled;

        private Builder() {}

        public Builder setInputSize(int inputSize) {
            this.inputSize = inputSize;
            return this;
        }

        public Builder optHiddenUnits(List<Integer> hiddenUnits) {
            this.hiddenUnits = hiddenUnits;
            return this;
        }

        /** True freezes the weight matrices and rescales each output unit (our AANets stable branch). */
        public Builder optScaled(boolean scaled) {
            this.scaled = scaled;
            return this;
        }

        public Mlp build() {
            if (inputSize <= 0) {
                throw new IllegalArgumentException("inputSize must be positive, got " + inputSize);
            }
            if (hiddenUnits == null || hiddenUnits.isEmpty()) {
                throw new IllegalArgumentException("hiddenUnits must name at least one layer");
            }
            for (Integer units : hiddenUnits) {
                if (units == null || units <= 0) {
                    throw new IllegalArgumentException("hidden units must be positive, got " + hiddenUnits);
                }
            }
            return new Mlp(this);
        }
    }
}
