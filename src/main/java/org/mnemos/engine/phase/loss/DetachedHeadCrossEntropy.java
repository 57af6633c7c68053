package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;

/**
 * Always Be Dreaming's "ft classification": CE over all seen classes on real and dreamed rows
 * alike, computed by the head on the <em>detached</em> features, so that only the classifier
 * learns from the dreams (their features never reach the backbone), each row weighted by its
 * class's balance weight (old/seen for an old class, 1 − old/seen for a new one).
 */
public record DetachedHeadCrossEntropy() implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        NDArray logits = step.head().apply(step.features().stopGradient());
        NDArray weights = Losses.classBalanceWeights(step.targets(), step.oldClasses(), step.totalClasses());
        return Losses.crossEntropyPerRow(logits, step.targets()).mul(weights).mean();
    }
}
