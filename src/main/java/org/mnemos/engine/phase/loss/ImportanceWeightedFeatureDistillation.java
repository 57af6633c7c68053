package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;
import org.mnemos.engine.util.Scalars;

/**
 * Always Be Dreaming's importance-weighted feature distillation: the current and the previous
 * features, both projected through the previous head's old-class weights (its biases cancel),
 * compared by squared error, summed over the old classes and divided by their number, averaged
 * over real and dreamed rows, times μ.
 */
public record ImportanceWeightedFeatureDistillation(double mu) implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        NDArray current = Losses.columns(step.previousHead().apply(step.features()), 0, step.oldClasses());
        NDArray previous = Losses.columns(step.previousHead().apply(step.previousFeatures()), 0, step.oldClasses());
        return Scalars.mul(current.sub(previous).square().mean(), (float) mu);
    }

    @Override
    public boolean needsPreviousModel() {
        return true;
    }
}
