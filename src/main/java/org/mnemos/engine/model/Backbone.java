package org.mnemos.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;

/**
 * A feature extractor. Forward contract: input {@code NDList(x)} with x float32 NCHW; output
 * {@code NDList(features (B, featureDim), intermediates...)} where the intermediates are the stage
 * outputs (B, C, H, W) from shallow to deep (PODNet's spatial distillation), or the hidden
 * activations (B, units) for the MLP.
 */
public abstract class Backbone extends AbstractBlock {

    protected Backbone(byte version) {
        super(version);
    }

    /** Size of the feature vector returned first by forward. */
    public abstract int featureDim();

    /** A new, uninitialised backbone of the same architecture (used to rebuild and copy networks). */
    public abstract Backbone sameArchitecture();

    /**
     * A new, uninitialised backbone of the same architecture whose weights are frozen and rescaled
     * by trainable factors (AANets' {@code ss} branch); parameter names match this backbone's, so
     * its values load into the variant by name.
     */
    public abstract Backbone scaledVariant();

    /**
     * The levels AANets aggregates: the ResNets' stages (the stem belongs to the first), the MLP's
     * hidden layers. Forward is {@link #forwardLevel} over all levels, then {@link #features}.
     */
    public abstract int levels();

    /** One level on the previous level's output (on the input for level 0). */
    public abstract NDArray forwardLevel(ParameterStore parameterStore, int level, NDArray x, boolean training);

    /** The feature vector from the last level's output: global average pooling, or identity for the MLP. */
    public abstract NDArray features(NDArray lastLevel);
}
