package org.mnemos.engine;

/** Polled between batches; once it answers true the phase stops with {@link PhaseCancelledException}. */
@FunctionalInterface
public interface CancellationSignal {

    boolean isCancelled();

    CancellationSignal NEVER = () -> false;
}
