package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;

/**
 * Always Be Dreaming's local classification: on the real rows (new classes only, no exemplars),
 * CE over the new classes' logits with shifted targets, each row weighted by its class's balance
 * weight (1 − old/seen for a new class), averaged over the real rows.
 */
public record LocalCrossEntropy() implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        StepContext real = step.realOnly();
        NDArray weights = Losses.classBalanceWeights(real.targets(), step.oldClasses(), step.totalClasses());
        NDArray newLogits = Losses.columns(real.logits(), step.oldClasses(), step.totalClasses());
        return Losses.crossEntropyPerRow(newLogits, real.targets().sub(step.oldClasses()))
                .mul(weights)
                .mean();
    }
}
