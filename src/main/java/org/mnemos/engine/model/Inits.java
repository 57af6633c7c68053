package org.mnemos.engine.model;

import ai.djl.training.initializer.Initializer;
import org.mnemos.engine.util.PhaseRandom;

/** PyTorch-style parameter initialisers; they draw from the running phase's generator ({@link PhaseRandom}). */
final class Inits {

    private Inits() {}

    /** {@code kaiming_normal_(mode='fan_out', nonlinearity='relu')} for conv weights (out, in, kh, kw). */
    static Initializer kaimingNormalFanOut() {
        return (manager, shape, dataType) -> {
            long fanOut = shape.get(0);
            for (int i = 2; i < shape.dimension(); i++) {
                fanOut *= shape.get(i);
            }
            return PhaseRandom.normal(manager, 0f, (float) Math.sqrt(2.0 / fanOut), shape, dataType);
        };
    }

    /** U(-bound, bound). */
    static Initializer uniform(double bound) {
        return (manager, shape, dataType) ->
                PhaseRandom.uniform(manager, (float) -bound, (float) bound, shape, dataType);
    }

    /** nn.Linear's default: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for both weight and bias. */
    static Initializer torchLinearDefault(long fanIn) {
        return uniform(1.0 / Math.sqrt(fanIn));
    }
}
