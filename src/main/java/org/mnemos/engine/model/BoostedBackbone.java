package org.mnemos.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.ParameterList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * FOSTER's feature boosting (Wang et al., ECCV 2022; PyCIL's {@code FOSTERNet} with two
 * {@code convnets}): the previous phase's feature extractor, frozen and always in evaluation mode,
 * next to a new one of the same architecture that starts from it. Forward returns the
 * concatenation {@code [old, new]} (B, 2·D) as the features, then the old and the new features
 * (B, D) each, which FOSTER's distillation and its new extractor's own classifier read, and last
 * both extractors' last outputs (feature maps for a convolutional base) concatenated along the
 * channels, from which the head's weights over the joint features give CIM's CAM (the authors'
 * {@code FOSTERNet}: {@code torch.cat([fmaps[-1] of each convnet], 1)}).
 */
public final class BoostedBackbone extends Backbone {

    private static final byte VERSION = 1;

    private final Backbone base;
    private final Backbone old;
    private final Backbone boosted;

    private BoostedBackbone(Builder builder) {
        super(VERSION);
        this.base = builder.base;
        this.old = addChildBlock("old", base.sameArchitecture());
        this.boosted = addChildBlock("new", base.sameArchitecture());
        old.freezeParameters(true);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The frozen extractor of the previous phase. */
    public Backbone oldExtractor() {
        return old;
    }

    /** The extractor this phase trains. */
    public Backbone newExtractor() {
        return boosted;
    }

    /** Loads the single network {@code single} (this backbone's base architecture) into both extractors. */
    public void startFrom(Backbone single) {
        ParameterList source = single.getParameters();
        for (Backbone extractor : new Backbone[] {old, boosted}) {
            ParameterList target = extractor.getParameters();
            for (var entry : source) {
                var into = target.get(entry.getKey());
                if (into == null
                        || !into.getArray()
                                .getShape()
                                .equals(entry.getValue().getArray().getShape())) {
                    throw new IllegalArgumentException("the extractors' architecture has no parameter " + entry.getKey()
                            + " of shape " + entry.getValue().getArray().getShape());
                }
                entry.getValue().getArray().copyTo(into.getArray());
            }
        }
    }

    @Override
    public int featureDim() {
        return 2 * base.featureDim();
    }

    /** The dimension of one extractor's features. */
    public int extractorDim() {
        return base.featureDim();
    }

    @Override
    public Backbone sameArchitecture() {
        return builder().setBase(base.sameArchitecture()).build();
    }

    @Override
    public Backbone scaledVariant() {
        throw new UnsupportedOperationException("FOSTER's boosted backbone has no scaled variant");
    }

    /** FOSTER concatenates whole extractors; it has no levels to aggregate. */
    @Override
    public int levels() {
        throw new UnsupportedOperationException("a boosted backbone has no levels");
    }

    @Override
    public NDArray forwardLevel(ParameterStore parameterStore, int level, NDArray x, boolean training) {
        throw new UnsupportedOperationException("a boosted backbone has no levels");
    }

    @Override
    public NDArray features(NDArray lastLevel) {
        throw new UnsupportedOperationException("a boosted backbone has no levels");
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        // the old extractor runs on its running statistics, as PyCIL's FOSTER.train() puts convnets[0] in eval()
        NDList oldOut = old.forward(parameterStore, inputs, false, params);
        NDList newOut = boosted.forward(parameterStore, inputs, training, params);
        NDArray oldFeatures = oldOut.head();
        NDArray newFeatures = newOut.head();
        NDArray features = NDArrays.concat(new NDList(oldFeatures, newFeatures), 1);
        NDArray maps = NDArrays.concat(new NDList(oldOut.get(oldOut.size() - 1), newOut.get(newOut.size() - 1)), 1);
        return new NDList(features, oldFeatures, newFeatures, maps);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long batch = inputShapes[0].get(0);
        Shape[] extractor = base.getOutputShapes(inputShapes);
        long[] maps = extractor[extractor.length - 1].getShape();
        maps[1] *= 2;
        return new Shape[] {
            new Shape(batch, featureDim()),
            new Shape(batch, extractorDim()),
            new Shape(batch, extractorDim()),
            new Shape(maps)
        };
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        old.initialize(manager, dataType, inputShapes);
        boosted.initialize(manager, dataType, inputShapes);
    }

    /** {@code setBase} is required: the single network whose architecture both extractors take (not used further). */
    public static final class Builder {

        private Backbone base;

        private Builder() {}

        public Builder setBase(Backbone base) {
            this.base = base;
            return this;
        }

        public BoostedBackbone build() {
            if (base == null) {
                throw new IllegalArgumentException("a base backbone is required");
            }
            if (base instanceof BoostedBackbone || base instanceof AggregatedBackbone) {
                throw new IllegalArgumentException("the base must be a single network, got "
                        + base.getClass().getSimpleName());
            }
            return new BoostedBackbone(this);
        }
    }
}
