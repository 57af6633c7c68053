package org.mnemos.worker;

import java.io.Serializable;
import java.util.UUID;

/** The data of a queued {@code run-phase} execution. */
public record PhaseRef(UUID experimentId, int phase) implements Serializable {

    /** The task of phases any pool may run; a pool's own task is this name, '@' and the pool. */
    public static final String TASK_NAME = "run-phase";

    /** The task a phase is queued in: {@code run-phase@<pool>}, or {@code run-phase} for any pool (null). */
    public static String taskName(String pool) {
        return pool == null ? TASK_NAME : TASK_NAME + "@" + pool;
    }

    /** One execution per phase: re-queuing a phase that waits already is a no-op. */
    public String instanceId() {
        return experimentId + "/" + phase;
    }
}
