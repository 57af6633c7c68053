package org.mnemos.engine.spec;

import java.util.List;

/**
 * {@code model.init}: phase 0 starts from an uploaded checkpoint ({@code POST /api/v1/checkpoints},
 * PyCIL's state_dict names in safetensors) instead of random weights. {@code use}: {@code start}
 * (default) trains phase 0 from it; {@code phase0} takes it as phase 0's model, evaluated as given
 * without training (the memory is still selected with it).
 */
public record InitSpec(String checkpoint, String use) {

    public static final String START = "start";
    public static final String PHASE0 = "phase0";
    public static final List<String> USES = List.of(START, PHASE0);

    /** With {@code use} filled in. */
    public InitSpec resolved() {
        return use == null ? new InitSpec(checkpoint, START) : this;
    }

    /** Whether the checkpoint is phase 0's model, so that phase 0 does not train. */
    public boolean standsInForPhase0() {
        return PHASE0.equals(use);
    }
}
