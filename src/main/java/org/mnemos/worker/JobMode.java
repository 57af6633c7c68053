package org.mnemos.worker;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A worker that ends by itself, for a KEDA {@code ScaledJob} or a Slurm array job: after it ran
 * {@code mnemos.worker.max-phases} phases, or once it ran none for {@code mnemos.worker.exit-when-idle}.
 * It never ends while an execution is in its hands: a phase that reaches it after the budget is
 * spent, or after it decided to end, goes back to the queue untouched, in its run's place.
 */
final class JobMode {

    private final int maxPhases;
    private final Duration exitWhenIdle;
    private final LongSupplier nanoTime;
    private final Runnable stopFetching;
    private boolean fetchingStopped;
    private int claimed;
    private int inFlight;
    private long idleSince;
    private boolean exiting;

    /**
     * @param stopFetching stops the worker fetching phases; called once, when the last phase of the
     *     budget starts or when the worker decides to end
     */
    JobMode(WorkerProperties properties, LongSupplier nanoTime, Runnable stopFetching) {
        this.maxPhases = properties.maxPhases();
        this.exitWhenIdle = properties.exitWhenIdle();
        this.nanoTime = nanoTime;
        this.stopFetching = stopFetching;
        this.idleSince = nanoTime.getAsLong();
    }

    /** Whether the worker ends by itself at all. */
    static boolean enabled(WorkerProperties properties) {
        return properties.maxPhases() > 0 || properties.exitWhenIdle() != null;
    }

    /** The worker starts fetching: its idle time counts from now, not from its start-up. */
    synchronized void fetchingStarted() {
        idleSince = nanoTime.getAsLong();
    }

    /** An execution reaches the worker; false once the worker is ending: hand it back untouched. */
    synchronized boolean enter() {
        if (exiting) {
            return false;
        }
        inFlight++;
        return true;
    }

    /** An execution entered with {@link #enter} is done with. */
    synchronized void leave() {
        inFlight--;
        if (inFlight == 0) {
            idleSince = nanoTime.getAsLong();
        }
    }

    /** Whether the worker may train one more phase; false once {@code max-phases} were started: hand it back. */
    synchronized boolean claimPhase() {
        if (maxPhases > 0 && claimed >= maxPhases) {
            return false;
        }
        claimed++;
        if (claimed == maxPhases) {
            stopFetchingOnce();
        }
        return true;
    }

    /**
     * Why the worker ends now, if it does: no execution is in its hands and it ran its
     * {@code max-phases} or was idle for {@code exit-when-idle}. From then on {@link #enter} refuses.
     */
    synchronized Optional<String> exitNow() {
        if (exiting || inFlight > 0) {
            return Optional.empty();
        }
        String reason = null;
        if (maxPhases > 0 && claimed >= maxPhases) {
            reason = "ran its " + maxPhases + " phase(s) (mnemos.worker.max-phases)";
        } else if (exitWhenIdle != null && nanoTime.getAsLong() - idleSince >= exitWhenIdle.toNanos()) {
            reason = "ran no phase for " + exitWhenIdle + " (mnemos.worker.exit-when-idle)";
        }
        if (reason != null) {
            exiting = true;
            stopFetchingOnce();
        }
        return Optional.ofNullable(reason);
    }

    private void stopFetchingOnce() {
        if (!fetchingStopped) {
            fetchingStopped = true;
            stopFetching.run();
        }
    }

    synchronized int phasesRun() {
        return claimed;
    }
}
