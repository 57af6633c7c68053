package org.mnemos.experiment;

import java.util.Collection;
import java.util.Map;
import java.util.UUID;

/**
 * Where phases wait for a worker. Enqueuing joins the caller's transaction, so a phase is queued
 * exactly when the state change that asked for it commits; enqueuing a phase that is already
 * waiting is a no-op. A phase waits in the run's pool (none: any pool) at the run's priority and
 * submission time: higher priority first, and within a priority the runs submitted first are
 * finished first.
 */
public interface PhaseQueue {

    void enqueue(Experiment experiment, int phaseIndex);

    /**
     * Each given run's place in its pool's queue (1: the next a free worker of the pool takes), for
     * the runs that have a phase waiting; a run whose phase runs, or that has none queued, is absent.
     */
    Map<UUID, Integer> positions(Collection<UUID> runs);
}
