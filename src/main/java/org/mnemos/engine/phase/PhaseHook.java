package org.mnemos.engine.phase;

import org.mnemos.engine.metrics.PhaseMetrics;

/**
 * A step a method (or the model) adds around the shared phase procedure (train → update memory →
 * evaluate): LUCIR's weight imprinting, BiC's bias correction, class-balanced finetuning, AANets'
 * aggregation weights.
 */
public interface PhaseHook {


    /** Before the main training stage; may change the training set or the new head weights. */
    default void beforeTraining(PhaseSession session) {}

    /** After each epoch (pass over the training set) of the main training stage. */
    default void afterEpoch(PhaseSession session, int epoch) {}

    /** After the main training stage, before the memory is updated. */
    default void afterTraining(PhaseSession session) {}

    /** After the exemplar memory holds the new classes. */
    default void afterMemoryUpdate(PhaseSession session) {}

    /** Restores what this hook carries across phases from the previous phase's state directory. */
    default void loadState(PhaseSession session, java.nio.file.Path previousState) {}

    /** Writes what the next phase needs into this phase's state directory (after the phase state). */
    default void saveState(PhaseSession session, java.nio.file.Path stateDir) {}

    /** Extra optimizer steps this hook will take, for progress reporting. */
    default long plannedSteps(PhaseSession session) {
        return 0;
    }

    /** The phase's metrics with whatever this hook measured added. */
    default PhaseMetrics report(PhaseMetrics metrics) {
        return metrics;
    }
}
