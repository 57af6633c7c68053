package org.mnemos.worker;

import java.io.Serializable;
import java.util.UUID;

/** The data of a queued {@code run-phase} execution. */
public record PhaseRef(UUID experimentId, int phase) implements Serializable {

    public static final String TASK_NAME = "run-phase";

    /** One execution per phase: re-queuing a phase that waits already is a no-op. */
    public String instanceId() {
        return experimentId + "/" + phase;
    }
}
