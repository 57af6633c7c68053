package org.mnemos.engine.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * torch.optim.SGD: d = g + wd·p; with momentum, buf = d on the first step and then buf = m·buf +
 * (1 - dampening)·d, and d = d + m·buf (nesterov) or d = buf; finally p -= lr·d.
 */
public final class Sgd implements Optimizer {

    private final float momentum;
    private final float dampening;
    private final float weightDecay;
    private final boolean nesterov;
    private final NDManager stateManager = NDManager.newBaseManager();
    private final Map<String, NDArray> momentumBuffers = new HashMap<>();

    private Sgd(Builder builder) {
        this.momentum = builder.momentum;
        this.dampening = builder.dampening;
        this.weightDecay = builder.weightDecay;
        this.nesterov = builder.nesterov;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void step(List<Parameter> params, float lr) {
        try (NDManager step = stateManager.newSubManager()) {
            for (Parameter parameter : params) {
                if (parameter.requiresGradient()) {
                    update(parameter, lr, step);
                }
            }
        }
    }

    private void update(Parameter parameter, float lr, NDManager step) {
        NDArray weight = parameter.getArray();
        // getGradient() returns a new wrapper in the parameter's manager: move it to the step.
        NDArray d = own(weight.getGradient(), step);
        if (weightDecay != 0f) {
            d = own(weight.mul(weightDecay), step).addi(d);
        }
        if (momentum != 0f) {
            NDArray buffer = momentumBuffers.get(parameter.getId());
            if (buffer == null) {
                buffer = own(d.duplicate(), stateManager);
                momentumBuffers.put(parameter.getId(), buffer);
            } else {
                buffer.muli(momentum).addi(dampening == 0f ? d : own(d.mul(1f - dampening), step));
            }
            d = nesterov ? own(buffer.mul(momentum), step).addi(d) : buffer;
        }
        weight.subi(own(d.mul(lr), step));
    }

    private static NDArray own(NDArray array, NDManager manager) {
        array.attach(manager);
        return array;
    }

    @Override
    public void close() {
        momentumBuffers.clear();
        stateManager.close();
    }

    /** PyTorch defaults: momentum 0, dampening 0, weight decay 0, no nesterov. */
    public static final class Builder {

        private float momentum;
        private float dampening;
        private float weightDecay;
        private boolean nesterov;

        private Builder() {}

        public Builder optMomentum(float momentum) {
            this.momentum = momentum;
            return this;
        }

        public Builder optDampening(float dampening) {
            this.dampening = dampening;
            return this;
        }

        public Builder optWeightDecay(float weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder optNesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        public Sgd build() {
            if (!(momentum >= 0f)) {
                throw new IllegalArgumentException("momentum must be >= 0, got " + momentum);
            }
            if (!(weightDecay >= 0f)) {
                throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
            }
            if (nesterov && (momentum <= 0f || dampening != 0f)) {
                throw new IllegalArgumentException("nesterov momentum requires a momentum and zero dampening");
            }
            return new Sgd(this);
        }
    }
}
