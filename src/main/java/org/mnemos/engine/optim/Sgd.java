package org.mnemos.engine.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * torch.optim.SGD: d = g + wd·p; with momentum, buf = d on the first step and then buf = m·buf +
 * (1 - dampening)·d, and d = d + m·buf (nesterov) or d = buf; finally p -= lr·d.
 */
public final class Sgd extends PerParameterOptimizer<NDArray[]> {

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

    /** The momentum buffer (one slot, empty without momentum); it starts as the first step's d. */
    @Override
    NDArray[] initialState(NDArray weight, NDArray gradient, NDManager stateManager, NDManager step) {
        return new NDArray[] {momentum == 0f ? null : own(gradient.duplicate(), stateManager)};
    }

    @Override
    void updateState(NDArray[] buffer, NDArray gradient, NDManager step) {
        if (momentum != 0f) {
            buffer[0].muli(momentum).addi(dampening == 0f ? gradient : own(gradient.mul(1f - dampening), step));
        }
    }

    @Override
    NDArray update(NDArray[] buffer, NDArray gradient, float lr, NDManager step) {
        NDArray d = gradient;
        if (momentum != 0f) {
            d = nesterov ? own(buffer[0].mul(momentum), step).addi(gradient) : buffer[0];
        }
        return own(d.mul(lr), step);
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
