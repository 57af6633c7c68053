package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;
import org.mnemos.engine.util.Scalars;

/** A loss term scaled by a constant (BiC's (1−λ)·CE). */
public record WeightedLoss(LossTerm term, double weight) implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        return Scalars.mul(term.compute(step), (float) weight);
    }

    @Override
    public boolean needsPreviousModel() {
        return term.needsPreviousModel();
    }
}
