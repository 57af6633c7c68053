package org.mnemos.events;

import java.util.Set;

/** Event type names as they appear in the {@code events} table and as SSE event names. */
public final class EventTypes {

    public static final String PHASE_STARTED = "phase-started";
    public static final String PROGRESS = "progress";
    public static final String PHASE_COMPLETED = "phase-completed";
    /** A fork took over a finished phase of its source run: no worker ran it here. */
    public static final String PHASE_REUSED = "phase-reused";
    /** A phase ran again from its mid-phase checkpoint (stage, step), not from its start. */
    public static final String PHASE_RESUMED = "phase-resumed";

    public static final String EXPERIMENT_SUCCEEDED = "experiment-succeeded";
    public static final String EXPERIMENT_FAILED = "experiment-failed";
    public static final String EXPERIMENT_CANCELLED = "experiment-cancelled";
    public static final String EXPERIMENT_RESUMED = "experiment-resumed";

    private static final Set<String> TERMINAL = Set.of(EXPERIMENT_SUCCEEDED, EXPERIMENT_FAILED, EXPERIMENT_CANCELLED);

    private EventTypes() {}

    /** After a terminal event an experiment emits nothing more unless it is resumed; streams end at the last one. */
    public static boolean isTerminal(String type) {
        return TERMINAL.contains(type);
    }
}
