package org.mnemos.experiment;

import java.util.UUID;

/**
 * Where phases wait for a worker. Enqueuing joins the caller's transaction, so a phase is queued
 * exactly when the state change that asked for it commits; enqueuing a phase that is already
 * waiting is a no-op.
 */
public interface PhaseQueue {

    void enqueue(UUID experimentId, int phaseIndex);
}
