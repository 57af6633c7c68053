package org.mnemos.engine.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * torch.optim.Adam (no amsgrad): g += wd·p (L2, not decoupled); m = b1·m + (1-b1)·g; v = b2·v +
 * (1-b2)·g²; p -= lr/(1-b1^t) · m / (sqrt(v)/sqrt(1-b2^t) + eps).
 */
public final class Adam implements Optimizer {

    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    private final NDManager stateManager = NDManager.newBaseManager();
    private final Map<String, Moments> moments = new HashMap<>();

    private static final class Moments {
        private final NDArray mean;
        private final NDArray variance;
        private int steps;

        private Moments(NDArray mean, NDArray variance) {
            this.mean = mean;
            this.variance = variance;
        }
    }

    private Adam(Builder builder) {
        this.beta1 = builder.beta1;
        this.beta2 = builder.beta2;
        this.epsilon = builder.epsilon;
        this.weightDecay = builder.weightDecay;
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
        NDArray g = own(weight.getGradient(), step);
        if (weightDecay != 0f) {
            g = own(weight.mul(weightDecay), step).addi(g);
        }
        Moments state = moments.computeIfAbsent(parameter.getId(), id -> new Moments(
                own(weight.zerosLike(), stateManager), own(weight.zerosLike(), stateManager)));
        state.steps++;
        state.mean.muli(beta1).addi(own(g.mul(1f - beta1), step));
        state.variance.muli(beta2).addi(own(g.square(), step).muli(1f - beta2));
        double biasCorrection1 = 1.0 - Math.pow(beta1, state.steps);
        double biasCorrection2 = 1.0 - Math.pow(beta2, state.steps);
        NDArray denominator = own(state.variance.sqrt(), step)
                .divi((float) Math.sqrt(biasCorrection2))
                .addi(epsilon);
        NDArray update = own(state.mean.div(denominator), step).muli((float) (lr / biasCorrection1));
        weight.subi(update);
    }

    private static NDArray own(NDArray array, NDManager manager) {
        array.attach(manager);
        return array;
    }

    @Override
    public void close() {
        moments.clear();
        stateManager.close();
    }

    /** PyTorch defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0. */
    public static final class Builder {

        private float beta1 = 0.9f;
        private float beta2 = 0.999f;
        private float epsilon = 1e-8f;
        private float weightDecay;

        private Builder() {}

        public Builder optBetas(float beta1, float beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        public Builder optEpsilon(float epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        public Builder optWeightDecay(float weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Adam build() {
            if (!(beta1 >= 0f && beta1 < 1f) || !(beta2 >= 0f && beta2 < 1f)) {
                throw new IllegalArgumentException("betas must lie in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(epsilon >= 0f)) {
                throw new IllegalArgumentException("epsilon must be >= 0, got " + epsilon);
            }
            if (!(weightDecay >= 0f)) {
                throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
            }
            return new Adam(this);
        }
    }
}
