package org.mnemos.engine.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * torch.optim.Adam (no amsgrad): g += wd·p (L2, not decoupled); m = b1·m + (1-b1)·g; v = b2·v +
 * (1-b2)·g²; p -= lr/(1-b1^t) · m / (sqrt(v)/sqrt(1-b2^t) + eps).
 */
public final class Adam extends PerParameterOptimizer<Adam.Moments> {

    private final float beta1;
    private final float beta2;
    private final float epsilon;

    static final class Moments {
        private final NDArray mean;
        private final NDArray variance;
        private int steps;

        private Moments(NDArray mean, NDArray variance) {
            this.mean = mean;
            this.variance = variance;
        }
    }

    private Adam(Builder builder) {
        super(builder.weightDecay);
        this.beta1 = builder.beta1;
        this.beta2 = builder.beta2;
        this.epsilon = builder.epsilon;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    Moments initialState(NDArray weight, NDArray gradient, NDManager stateManager, NDManager step) {
        Moments moments = new Moments(own(weight.zerosLike(), stateManager), own(weight.zerosLike(), stateManager));
        updateState(moments, gradient, step);
        return moments;
    }

    @Override
    void updateState(Moments state, NDArray gradient, NDManager step) {
        state.steps++;
        state.mean.muli(beta1).addi(own(gradient.mul(1f - beta1), step));
        state.variance.muli(beta2).addi(own(gradient.square(), step).muli(1f - beta2));
    }

    @Override
    NDArray update(Moments state, NDArray gradient, float lr, NDManager step) {
        double biasCorrection1 = 1.0 - Math.pow(beta1, state.steps);
        double biasCorrection2 = 1.0 - Math.pow(beta2, state.steps);
        NDArray denominator = own(state.variance.sqrt(), step)
                .divi((float) Math.sqrt(biasCorrection2))
                .addi(epsilon);
        return own(state.mean.div(denominator), step).muli((float) (lr / biasCorrection1));
    }

    /**
     * Writes the moments and step counts of {@code params}, in their order, so that a run resumed
     * in another process continues with the same optimiser state (ABD's generator optimiser).
     */
    public void save(java.io.DataOutputStream out, java.util.List<ai.djl.nn.Parameter> params) throws java.io.IOException {
        out.writeInt(params.size());
        for (ai.djl.nn.Parameter parameter : params) {
            Moments moments = stateOf(parameter);
            out.writeBoolean(moments != null);
            if (moments != null) {
                out.writeInt(moments.steps);
                writeFloats(out, moments.mean.toFloatArray());
                writeFloats(out, moments.variance.toFloatArray());
            }
        }
    }

    /** Reads what {@link #save} wrote for the same parameters in the same order. */
    public void load(java.io.DataInputStream in, java.util.List<ai.djl.nn.Parameter> params) throws java.io.IOException {
        int count = in.readInt();
        if (count != params.size()) {
            throw new java.io.IOException("optimiser state for " + count + " parameters, expected " + params.size());
        }
        for (ai.djl.nn.Parameter parameter : params) {
            if (!in.readBoolean()) {
                continue;
            }
            int steps = in.readInt();
            NDArray weight = parameter.getArray();
            float[] mean = readFloats(in, weight.size());
            float[] variance = readFloats(in, weight.size());
            restoreState(parameter, manager -> {
                Moments moments = new Moments(
                        manager.create(mean, weight.getShape()).toDevice(weight.getDevice(), false),
                        manager.create(variance, weight.getShape()).toDevice(weight.getDevice(), false));
                moments.steps = steps;
                return moments;
            });
        }
    }

    private static void writeFloats(java.io.DataOutputStream out, float[] values) throws java.io.IOException {
        out.writeInt(values.length);
        for (float value : values) {
            out.writeFloat(value);
        }
    }

    private static float[] readFloats(java.io.DataInputStream in, long expected) throws java.io.IOException {
        int length = in.readInt();
        if (length != expected) {
            throw new java.io.IOException("optimiser state of " + length + " values, expected " + expected);
        }
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = in.readFloat();
        }
        return values;
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
