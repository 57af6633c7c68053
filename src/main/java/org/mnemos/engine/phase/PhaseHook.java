package org.mnemos.engine.phase;

import java.nio.file.Path;
import org.mnemos.engine.metrics.PartReport;

/**
 * A step a part adds around the shared phase procedure (train → update memory → evaluate): a
 * method's extra stages, a memory's optimisation, a model's extra parameters. A hook instance lives
 * for one phase.
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
    default void loadState(PhaseSession session, Path previousState) {}

    /** Writes what the next phase needs into this phase's state directory (after the phase state). */
    default void saveState(PhaseSession session, Path stateDir) {}

    /**
     * Whether a phase may resume in the middle of a training stage with this hook: false where the
     * hook's own state changes while a stage runs (in {@link #afterEpoch}, a step hook's
     * substitution, an optimizer of its own), which a mid-phase checkpoint does not hold. A phase
     * with any hook that answers false takes no mid-phase checkpoint and restarts when interrupted.
     */
    default boolean resumesMidStage() {
        return true;
    }

    /** Extra optimizer steps this hook will take, for progress reporting. */
    default long plannedSteps(PhaseSession session) {
        return 0;
    }

    /**
     * What this hook measured in the phase, filed in the phase's metrics under its name; null for
     * nothing. Called after evaluation ({@link PhaseSession#testSamples()} is set).
     */
    default PartReport report(PhaseSession session) {
        return null;
    }
}
