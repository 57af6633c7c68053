package org.mnemos.engine;

/** Thrown out of a phase that saw its cancellation signal; the phase left no state behind. */
public class PhaseCancelledException extends RuntimeException {

    public PhaseCancelledException(int phase) {
        super("phase " + phase + " cancelled");
    }
}
