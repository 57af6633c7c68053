package org.mnemos.experiment;

/**
 * Where phases wait for a worker. Enqueuing joins the caller's transaction, so a phase is queued
 * exactly when the state change that asked for it commits; enqueuing a phase that is already
 * waiting is a no-op. A phase waits in the run's pool (none: any pool) at the run's submission time,
 * so that the runs submitted first are finished first.
 */
public interface PhaseQueue {

    void enqueue(Experiment experiment, int phaseIndex);
}
