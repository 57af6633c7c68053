package org.mnemos.engine.model;

import ai.djl.nn.AbstractBlock;

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
}
