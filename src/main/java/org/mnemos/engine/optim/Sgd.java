package org.mnemos.engine.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * torch.optim.SGD on flat buffers ({@link FlatOptimizer}): d = g + wd·p; with momentum, buf = d on the first step and then buf = m·buf +
 * (1 - dampening)·d, and d = d + m·buf (nesterov) or d = buf; finally p -= lr·d.
 */
public final class Sgd extends FlatOptimizer {

    private final float momentum;
    private final float dampening;
    private final boolean nesterov;

    private Sgd(Builder builder) {
        super(builder.weightDecay);
        this.momentum = builder.momentum;
        this.dampening = builder.dampening;
        this.nesterov = builder.nesterov;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    List<NDArray> createState(long size, NDManager stateManager) {
        return momentum == 0f ? List.of() : List.of(stateManager.zeros(new Shape(size)));
    }

    @Override
    NDArray update(NDArray gradient, List<NDArray> state, float lr, int step, NDManager temporaries) {
        if (momentum == 0f) {
            return own(gradient.mul(stepConstant(lr)), temporaries);
        }
        NDArray buffer = state.get(0);
        if (step == 1) {
            buffer.set(new NDIndex(":"), gradient);
        } else if (dampening == 0f) {
            buffer.muli(fixed(momentum)).addi(gradient);
        } else {
            try (NDArray damped = own(gradient.mul(fixed(1f - dampening)), temporaries)) {
                buffer.muli(fixed(momentum)).addi(damped);
            }
        }
        if (!nesterov) {
            return own(buffer.mul(stepConstant(lr)), temporaries);
        }
        try (NDArray direction = own(buffer.mul(fixed(momentum)), temporaries).addi(gradient)) {
            return own(direction.mul(stepConstant(lr)), temporaries);
        }
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
