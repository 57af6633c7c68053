package org.mnemos.engine.optim;

import ai.djl.nn.Parameter;
import java.util.List;

/**
 * Updates parameters in place from their accumulated gradients. Call {@link #step} outside a
 * gradient collector (grad mode off), then {@link Gradients#zero} before the next backward. The
 * optimizer owns its state (momentum buffers, moments) and frees it on {@link #close()}.
 */
public interface Optimizer extends AutoCloseable {

    /** One update of every parameter in {@code params} that requires a gradient, with learning rate {@code lr}. */
    void step(List<Parameter> params, float lr);

    /** Writes the state (step count, buffers) for {@link #readState}: a mid-phase checkpoint. */
    void writeState(java.io.DataOutputStream out) throws java.io.IOException;

    /** Puts back what {@link #writeState} wrote, for the same {@code params} as the steps that made it. */
    void readState(java.io.DataInputStream in, List<Parameter> params) throws java.io.IOException;

    @Override
    void close();
}
