package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;
import org.mnemos.engine.util.Scalars;

/** PODNet's POD-flat term: cosine-embedding distance of the final features to the previous network's. */
public record PodFlatLoss(double weight) implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        return Scalars.mul(Losses.cosineEmbedding(step.features(), step.previousFeatures()), (float) weight);
    }

    @Override
    public boolean needsPreviousModel() {
        return true;
    }
}
