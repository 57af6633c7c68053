package org.mnemos.engine.parts.memory.cim;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.HashMap;
import java.util.Map;

/**
 * A parameter store for a functional forward pass: the given arrays stand in for their parameters
 * (by id), every other parameter is read detached, so a backward through the pass reaches only
 * the substitutes and never accumulates into the network's own gradients. Detached copies live
 * in {@code manager}.
 */
final class SubstitutedParameters extends ParameterStore {

    private final NDManager manager;
    private final Map<String, NDArray> values;

    SubstitutedParameters(NDManager manager, Map<String, NDArray> substitutes) {
        super(manager, false);
        this.manager = manager;
        this.values = new HashMap<>(substitutes);
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        if (parameter == null) {
            return null; // an optional parameter the block does not have (a convolution's bias)
        }
        return values.computeIfAbsent(parameter.getId(), id -> {
            NDArray detached = parameter.getArray().stopGradient();
            detached.attach(manager);
            return detached;
        });
    }
}
