package org.mnemos.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.util.PairList;

/**
 * Replaces the ReLUs of a residual backbone for one forward pass, passed in the forward's
 * {@code params} under {@link #KEY}: CIM's mask model is the backbone with each ReLU a learnable
 * rational activation (its weights shared, as in the authors' {@code activation='ratl'} forward).
 * Each ReLU is a site: the block that applies it and its position in that block.
 */
@FunctionalInterface
public interface ActivationOverride {

    String KEY = "mnemos.activationOverride";

    NDArray apply(Object block, int position, NDArray x);

    /** The ReLU at ({@code block}, {@code position}), or what the override in {@code params} puts there. */
    static NDArray relu(NDArray x, PairList<String, Object> params, Object block, int position) {
        if (params != null && params.get(KEY) instanceof ActivationOverride override) {
            return override.apply(block, position, x);
        }
        return Activation.relu(x);
    }

    /** Forward parameters that carry {@code override}. */
    static PairList<String, Object> params(ActivationOverride override) {
        PairList<String, Object> params = new PairList<>();
        params.add(KEY, override);
        return params;
    }
}
