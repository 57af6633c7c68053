package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;

/** One additive term of a method's training objective; returns a scalar (already weighted). */
public interface LossTerm {

    NDArray compute(StepContext step);

    /** Whether the term reads the previous network's outputs (then the trainer runs it per batch). */
    default boolean needsPreviousModel() {
        return false;
    }
}
