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
    private final Runnable budgetSpent;
    private int claimed;
    private int inFlight;
    private long idleSince;
    private boolean exiting;

    /**
     * @param budgetSpent called once when the last phase of the budget starts (the worker stops
     *     fetching phases then)
     */
    JobMode(WorkerProperties properties, LongSupplier nanoTime, Runnable budgetSpent) {
        this.maxPhases = properties.maxPhases();
        this.exitWhenIdle = properties.exitWhenIdle();
        this.nanoTime = nanoTime;
        this.budgetSpent = budgetSpent;
        this.idleSince = nanoTime.getAsLong();
    }

    /** Whether the worker ends by itself at all. */
    static boolean enabled(WorkerProperties properties) {
        return properties.maxPhases() > 0 || properties.exitWhenIdle() != null;
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
    boolean claimPhase() {
        boolean last;
        synchronized (this) {
            if (maxPhases > 0 && claimed >= maxPhases) {
                return false;
            }
            claimed++;
            last = claimed == maxPhases;
        }
        if (last) {
            budgetSpent.run();
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
        if (maxPhases > 0 && claimed >= maxPhases) {
            exiting = true;
            return Optional.of("ran its " + maxPhases + " phase(s) (mnemos.worker.max-phases)");
        }
        if (exitWhenIdle != null && nanoTime.getAsLong() - idleSince >= exitWhenIdle.toNanos()) {
            exiting = true;
            return Optional.of("ran no phase for " + exitWhenIdle + " (mnemos.worker.exit-when-idle)");
        }
        return Optional.empty();
    }

    synchronized int phasesRun() {
        return claimed;
    }
}
