package org.mnemos.engine.phase;

import ai.djl.ndarray.types.Shape;
import java.util.function.Supplier;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.spec.ModelSpec;

/**
 * A part that shapes the network a phase trains: a different backbone in the phase's builder, and a
 * network built fresh from the previous phase's (weights copied in) instead of that one itself. A
 * {@link PhaseHook} that is a NetworkHook is consulted by the phase runner, in the hooks' order.
 */
public interface NetworkHook {

    /**
     * Sets the method's head options in every network its phases build: the one a phase trains, the
     * one the next phase continues, and the one a checkpoint is read into.
     */
    default void shapeHead(IncrementalNet.Builder builder) {}

    /** Shapes the builder of the network {@code phase} trains and evaluates ({@code input}: (1, C, H, W)); not the one the next phase continues. */
    default void shape(IncrementalNet.Builder builder, int phase, ModelSpec model, Shape input) {}

    /**
     * The network {@code phase} trains, started from {@code previous} (the network the previous phase
     * handed on, loaded); {@code rebuilt} builds the phase's own network. Returns {@code previous}
     * to train it as it is.
     */
    default IncrementalNet startFrom(IncrementalNet previous, int phase, Supplier<IncrementalNet> rebuilt) {
        return previous;
    }
}
