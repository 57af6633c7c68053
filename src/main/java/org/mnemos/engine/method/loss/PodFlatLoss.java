package org.mnemos.engine.method.loss;

import ai.djl.ndarray.NDArray;

/** PODNet's POD-flat term: cosine-embedding distance of the final features to the previous network's. */
public record PodFlatLoss(double weight) implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        return Losses.cosineEmbedding(step.features(), step.previousFeatures()).mul((float) weight);
    }

    @Override
    public boolean needsPreviousModel() {
        return true;
    }
}
