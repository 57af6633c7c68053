package org.mnemos.engine.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What SGD and Adam share: state per parameter in a manager the optimizer owns, on the device of
 * the parameters (never the engine's default device, which is the GPU on a GPU host), each step's
 * temporaries in a sub-manager closed after the step, and PyTorch's L2 weight decay folded into
 * the gradient before the rule sees it.
 *
 * @param <S> the per-parameter state (momentum buffer, Adam's moments)
 */
abstract class PerParameterOptimizer<S> implements Optimizer {

    private final float weightDecay;
    /** Created at the first step, on the device of the parameters it updates. */
    private NDManager stateManager;
    private final Map<String, S> states = new HashMap<>();

    PerParameterOptimizer(float weightDecay) {
        this.weightDecay = weightDecay;
    }

    @Override
    public final void step(List<Parameter> params, float lr) {
        if (params.isEmpty()) {
            return;
        }
        if (stateManager == null) {
            stateManager = NDManager.newBaseManager(params.get(0).getArray().getDevice());
        }
        try (NDManager step = stateManager.newSubManager()) {
            for (Parameter parameter : params) {
                if (!parameter.requiresGradient()) {
                    continue;
                }
                NDArray weight = parameter.getArray();
                // getGradient() returns a new wrapper in the parameter's manager: move it to the step
                NDArray gradient = own(weight.getGradient(), step);
                if (weightDecay != 0f) {
                    gradient = own(weight.mul(weightDecay), step).addi(gradient);
                }
                S state = states.get(parameter.getId());
                if (state == null) {
                    state = initialState(weight, gradient, stateManager, step);
                    states.put(parameter.getId(), state);
                } else {
                    updateState(state, gradient, step);
                }
                weight.subi(update(state, gradient, lr, step));
            }
        }
    }

    /** The state of {@code parameter}, or null before its first step. */
    final S stateOf(Parameter parameter) {
        return states.get(parameter.getId());
    }

    /** Installs a saved state for {@code parameter}; its arrays are created by {@code create} in the state manager. */
    final void restoreState(Parameter parameter, java.util.function.Function<NDManager, S> create) {
        if (stateManager == null) {
            stateManager = NDManager.newBaseManager(parameter.getArray().getDevice());
        }
        states.put(parameter.getId(), create.apply(stateManager));
    }

    /** The state after the first step of a parameter, its arrays attached to {@code stateManager}. */
    abstract S initialState(NDArray weight, NDArray gradient, NDManager stateManager, NDManager step);

    /** Advances the state with this step's gradient (not called on the first step). */
    abstract void updateState(S state, NDArray gradient, NDManager step);

    /** What is subtracted from the weight this step. */
    abstract NDArray update(S state, NDArray gradient, float lr, NDManager step);

    static NDArray own(NDArray array, NDManager manager) {
        array.attach(manager);
        return array;
    }

    @Override
    public void close() {
        states.clear();
        if (stateManager != null) {
            stateManager.close();
        }
    }
}
