package org.mnemos.engine.phase;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * A part's say in every training step of the phase's stages: replacing images as batches are drawn
 * (the main stage and the distillation stages only), and appending rows that the reference network
 * labels (only in stages whose loss reads a reference network). A {@link PhaseHook} that is a
 * StepHook is consulted by the session.
 */
public interface StepHook {

    /** Replaces images of the training set as the main and distillation stages draw them; null for none. */
    default TrainingLoop.Substitution substitution() {
        return null;
    }

    /**
     * Whether the trained network's BatchNorm layers normalise the appended rows apart from the real
     * ones (each by its own batch statistics, the running statistics following the real rows only)
     * instead of as one batch.
     */
    default boolean normalisesAppendedRowsApart() {
        return false;
    }

    /**
     * The step's inputs with rows appended, called without gradient recording before the reference
     * network's forward pass; {@code inputs} itself for none.
     */
    default NDArray extendInputs(NDArray inputs, int realRows) {
        return inputs;
    }

    /**
     * The step's targets with one label per appended row, from the reference network's outputs over
     * all rows; {@code targets} itself for none.
     */
    default NDArray extendTargets(NDArray targets, NDList reference, int realRows, int oldClasses) {
        return targets;
    }
}
