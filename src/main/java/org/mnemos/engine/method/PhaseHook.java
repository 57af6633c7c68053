package org.mnemos.engine.method;

/**
 * A step a method adds around the shared phase procedure (train → update memory → evaluate):
 * LUCIR's weight imprinting, BiC's bias correction, class-balanced finetuning.
 */
public interface PhaseHook {

    /** Before the main training stage; may change the training set or the new head weights. */
    default void beforeTraining(PhaseSession session) {}

    /** After the main training stage, before the memory is updated. */
    default void afterTraining(PhaseSession session) {}

    /** After the exemplar memory holds the new classes. */
    default void afterMemoryUpdate(PhaseSession session) {}

    /** Extra optimizer steps this hook will take, for progress reporting. */
    default long plannedSteps(PhaseSession session) {
        return 0;
    }
}
