package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;

/** {@code term} on the real rows of the batch only (DeepInversion's CE leaves the dreams out). */
public record RealRows(LossTerm term) implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        return term.compute(step.realOnly());
    }

    @Override
    public boolean needsPreviousModel() {
        return term.needsPreviousModel();
    }
}
