package org.mnemos.engine.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * torch.optim.Adam (no amsgrad) on flat buffers ({@link FlatOptimizer}): g += wd·p (L2, not decoupled); m = b1·m + (1-b1)·g; v = b2·v +
 * (1-b2)·g²; p -= lr/(1-b1^t) · m / (sqrt(v)/sqrt(1-b2^t) + eps).
 */
public final class Adam extends FlatOptimizer {

    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private NDArray mean;
    private NDArray variance;

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
    List<NDArray> createState(long size, NDManager stateManager) {
        mean = stateManager.zeros(new Shape(size));
        variance = stateManager.zeros(new Shape(size));
        return List.of(mean, variance);
    }

    @Override
    NDArray update(NDArray gradient, List<NDArray> state, float lr, int step, NDManager temporaries) {
        NDArray mean = state.get(0);
        NDArray variance = state.get(1);
        try (NDArray scaled = own(gradient.mul(fixed(1f - beta1)), temporaries)) {
            mean.muli(fixed(beta1)).addi(scaled);
        }
        try (NDArray squared = own(gradient.square(), temporaries)) {
            variance.muli(fixed(beta2)).addi(squared.muli(fixed(1f - beta2)));
        }
        double biasCorrection1 = 1.0 - Math.pow(beta1, step);
        double biasCorrection2 = 1.0 - Math.pow(beta2, step);
        NDArray update;
        try (NDArray denominator = own(variance.sqrt(), temporaries)
                .divi(stepConstant((float) Math.sqrt(biasCorrection2)))
                .addi(fixed(epsilon))) {
            update = own(mean.div(denominator), temporaries);
        }
        return update.muli(stepConstant((float) (lr / biasCorrection1)));
    }

    /**
     * Writes the moments and step counts of {@code params}, in their order, so that a run resumed
     * in another process continues with the same optimiser state (ABD's generator optimiser).
     */
    public void save(java.io.DataOutputStream out, java.util.List<ai.djl.nn.Parameter> params)
            throws java.io.IOException {
        out.writeInt(params.size());
        for (ai.djl.nn.Parameter parameter : params) {
            NDArray meanSlice = mean == null ? null : sliceOf(mean, parameter);
            out.writeBoolean(meanSlice != null);
            if (meanSlice != null) {
                try (meanSlice;
                        NDArray varianceSlice = sliceOf(variance, parameter)) {
                    out.writeInt(steps());
                    writeFloats(out, meanSlice.toFloatArray());
                    writeFloats(out, varianceSlice.toFloatArray());
                }
            }
        }
    }

    /** Reads what {@link #save} wrote for the same parameters in the same order. */
    public void load(java.io.DataInputStream in, java.util.List<ai.djl.nn.Parameter> params)
            throws java.io.IOException {
        int count = in.readInt();
        if (count != params.size()) {
            throw new java.io.IOException("optimiser state for " + count + " parameters, expected " + params.size());
        }
        java.util.List<ai.djl.nn.Parameter> stateful = new java.util.ArrayList<>();
        java.util.Map<String, float[][]> values = new java.util.HashMap<>();
        int steps = -1;
        for (ai.djl.nn.Parameter parameter : params) {
            if (!in.readBoolean()) {
                continue;
            }
            int parameterSteps = in.readInt();
            if (steps >= 0 && parameterSteps != steps) {
                throw new java.io.IOException("parameters saved after " + steps + " and " + parameterSteps + " steps");
            }
            steps = parameterSteps;
            long size = parameter.getArray().size();
            values.put(parameter.getId(), new float[][] {readFloats(in, size), readFloats(in, size)});
            stateful.add(parameter);
        }
        if (stateful.isEmpty()) {
            return;
        }
        if (stateful.size()
                != params.stream().filter(ai.djl.nn.Parameter::requiresGradient).count()) {
            throw new java.io.IOException(
                    "optimiser state for " + stateful.size() + " of the parameters being trained");
        }
        restore(stateful, steps, (parameter, slice) -> {
            float[][] saved = values.get(parameter.getId());
            try (NDManager upload = mean.getManager().newSubManager()) {
                slice.apply(mean).set(new ai.djl.ndarray.index.NDIndex(":"), upload.create(saved[0]));
                slice.apply(variance).set(new ai.djl.ndarray.index.NDIndex(":"), upload.create(saved[1]));
            }
        });
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
