package org.mnemos.engine.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.OptimizerSpec;

/**
 * Three steps of each optimizer with fixed gradients (the gradient of sum(c·p) is c) against a
 * scalar double-precision reference written from torch.optim's documented update rules.
 */
class OptimizerTest {

    private static final float[] START = {1.0f, -2.0f, 0.5f};
    private static final float[][] GRADIENTS = {{0.5f, -1.0f, 2.0f}, {1.0f, 1.0f, 1.0f}, {-2.0f, 0.5f, 0.0f}};

    @Test
    void sgdWithMomentumAndWeightDecayMatchesTorchRule() {
        float[] actual =
                run(Sgd.builder().optMomentum(0.9f).optWeightDecay(0.1f).build(), 0.1f);
        assertClose(actual, referenceSgd(0.1, 0.9, 0.0, 0.1, false));
    }

    @Test
    void sgdNesterovMatchesTorchRule() {
        float[] actual = run(
                Sgd.builder()
                        .optMomentum(0.9f)
                        .optWeightDecay(0.1f)
                        .optNesterov(true)
                        .build(),
                0.1f);
        assertClose(actual, referenceSgd(0.1, 0.9, 0.0, 0.1, true));
    }

    @Test
    void sgdNesterovFirstStepByHand() {
        // d = 0.5 + 0.1·1 = 0.6; buf = 0.6; d = 0.6 + 0.9·0.6 = 1.14; p = 1 - 0.1·1.14 = 0.886
        float[] actual = run(
                Sgd.builder()
                        .optMomentum(0.9f)
                        .optWeightDecay(0.1f)
                        .optNesterov(true)
                        .build(),
                0.1f,
                1);
        assertThat(actual[0]).isCloseTo(0.886f, within(1e-6f));
    }

    @Test
    void sgdDampeningAppliesFromTheSecondStep() {
        float[] actual = run(Sgd.builder().optMomentum(0.5f).optDampening(0.3f).build(), 0.05f);
        assertClose(actual, referenceSgd(0.05, 0.5, 0.3, 0.0, false));
    }

    @Test
    void plainSgdIsGradientDescent() {
        float[] actual = run(Sgd.builder().build(), 0.1f, 1);
        assertThat(actual).containsExactly(new float[] {0.95f, -1.9f, 0.3f}, within(1e-6f));
    }

    @Test
    void adamMatchesTorchRule() {
        float[] actual = run(Adam.builder().optWeightDecay(0.01f).build(), 0.01f);
        assertClose(actual, referenceAdam(0.01, 0.9, 0.999, 1e-8, 0.01));
    }

    @Test
    void adamFirstStepMovesBySignTimesLr() {
        // m̂ = g and sqrt(v̂) = |g| after one step, so p -= lr·g/(|g| + eps).
        float[] actual = run(Adam.builder().build(), 0.01f, 1);
        assertThat(actual).containsExactly(new float[] {0.99f, -1.99f, 0.49f}, within(1e-6f));
    }

    @Test
    void stepsDoNotLeaveArraysInTheParameterManager() {
        try (NDManager manager = NDManager.newBaseManager();
                Optimizer sgd =
                        Sgd.builder().optMomentum(0.9f).optWeightDecay(1e-3f).build()) {
            Parameter p = parameter(manager);
            int before = -1;
            for (int i = 0; i < 5; i++) {
                try (NDManager batch = manager.newSubManager()) {
                    backward(p, batch.create(GRADIENTS[0]));
                }
                sgd.step(List.of(p), 0.1f);
                Gradients.zero(List.of(p));
                if (i == 0) {
                    before = manager.getManagedArrays().size();
                }
            }
            assertThat(manager.getManagedArrays()).hasSize(before);
        }
    }

    @Test
    void zeroClearsAccumulatedGradients() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter p = parameter(manager);
            NDArray c = manager.create(GRADIENTS[0]);
            backward(p, c);
            backward(p, c);
            try (NDArray g = p.getArray().getGradient()) {
                assertThat(g.toFloatArray()).containsExactly(1.0f, -2.0f, 4.0f);
            }
            Gradients.zero(List.of(p));
            try (NDArray g = p.getArray().getGradient()) {
                assertThat(g.toFloatArray()).containsExactly(0f, 0f, 0f);
            }
        }
    }

    @Test
    void optimizersFromSpecUsePytorchDefaultsAndRejectBadValues() {
        float[] viaSpec = run(Optimizers.create(new OptimizerSpec("sgd", 0.1, null, null, null, null, null)), 0.1f, 1);
        assertThat(viaSpec).containsExactly(new float[] {0.95f, -1.9f, 0.3f}, within(1e-6f));
        assertThat(Optimizers.create(new OptimizerSpec("ADAM", 0.1, null, 5e-4, null, null, null)))
                .isInstanceOf(Adam.class);
        assertThatThrownBy(() -> Optimizers.create(new OptimizerSpec("rmsprop", 0.1, null, null, null, null, null)))
                .isInstanceOf(SpecException.class)
                .extracting(e -> ((SpecException) e).field())
                .isEqualTo("training.optimizer.name");
        assertThatThrownBy(() -> Optimizers.create(new OptimizerSpec("sgd", 0.1, 0.0, null, true, null, null)))
                .isInstanceOf(SpecException.class);
        assertThatThrownBy(() -> Optimizers.create(new OptimizerSpec("adam", 0.1, null, null, null, 1.0, null)))
                .isInstanceOf(SpecException.class);
    }

    /** Shapes of a small network's parameters: a matrix, a vector, a scalar-sized bias, a 4-d kernel. */
    private static final Shape[] SHAPES = {new Shape(3, 4), new Shape(5), new Shape(1), new Shape(2, 1, 3, 3)};

    private static List<java.util.function.Supplier<Optimizer>> rules() {
        return List.of(
                () -> Sgd.builder().optMomentum(0.9f).optWeightDecay(5e-4f).build(),
                () -> Sgd.builder()
                        .optMomentum(0.9f)
                        .optWeightDecay(0.1f)
                        .optNesterov(true)
                        .build(),
                () -> Sgd.builder().optMomentum(0.5f).optDampening(0.3f).build(),
                () -> Sgd.builder().build(),
                () -> Adam.builder().optWeightDecay(0.01f).build(),
                () -> Adam.builder().build());
    }

    @Test
    void oneFlatStepOverManyParametersEqualsEachParameterStepping() {
        for (var rule : rules()) {
            float[][] together = train(List.of(rule.get()), 5);
            float[][] alone = train(
                    java.util.stream.IntStream.range(0, SHAPES.length)
                            .mapToObj(i -> rule.get())
                            .toList(),
                    5);
            for (int i = 0; i < SHAPES.length; i++) {
                // bit for bit: every element goes through the same float operations in the same order
                assertThat(together[i])
                        .as("%s, parameter %d", rule.get().getClass().getSimpleName(), i)
                        .containsExactly(alone[i]);
            }
        }
    }

    /**
     * Trains the {@link #SHAPES} parameters for {@code steps} steps on pseudo-random gradients: one
     * optimizer for all of them, or (with one optimizer per parameter) each on its own.
     */
    private static float[][] train(List<Optimizer> optimizers, int steps) {
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            java.util.Random random = new java.util.Random(3);
            List<Parameter> params = new java.util.ArrayList<>();
            for (Shape shape : SHAPES) {
                float[] start = new float[(int) shape.size()];
                for (int k = 0; k < start.length; k++) {
                    start[k] = (float) random.nextGaussian();
                }
                Parameter p = Parameter.builder()
                        .setName("p" + params.size())
                        .setType(Parameter.Type.WEIGHT)
                        .optShape(shape)
                        .optInitializer((m, s, type) -> m.create(start, s))
                        .build();
                p.initialize(manager, DataType.FLOAT32);
                params.add(p);
            }
            for (int t = 0; t < steps; t++) {
                for (Parameter p : params) {
                    float[] c = new float[(int) p.getArray().size()];
                    for (int k = 0; k < c.length; k++) {
                        c[k] = (float) random.nextGaussian();
                    }
                    backward(p, manager.create(c, p.getArray().getShape()));
                }
                if (optimizers.size() == 1) {
                    optimizers.get(0).step(params, 0.05f);
                } else {
                    for (int i = 0; i < params.size(); i++) {
                        optimizers.get(i).step(List.of(params.get(i)), 0.05f);
                    }
                }
                Gradients.zero(params);
            }
            optimizers.forEach(Optimizer::close);
            return params.stream().map(p -> p.getArray().toFloatArray()).toArray(float[][]::new);
        }
    }

    @Test
    void aLargeParameterUpdatedOnItsOwnMatchesTheFlatUpdateOfItsHalves() {
        // 260x260 is above the size from which the CPU updates a parameter on its own; each 130x260 half is below it
        assertThat(260L * 260).isGreaterThanOrEqualTo(FlatOptimizer.CPU_SEPARATE_MIN_SIZE);
        assertThat(130L * 260).isLessThan(FlatOptimizer.CPU_SEPARATE_MIN_SIZE);
        for (var rule : rules()) {
            float[][] whole = trainHalves(rule.get(), false);
            float[][] halves = trainHalves(rule.get(), true);
            String name = rule.get().getClass().getSimpleName();
            assertThat(halves[0]).as("%s, the small parameter", name).containsExactly(whole[0]);
            float[] joined = new float[whole[1].length];
            System.arraycopy(halves[1], 0, joined, 0, halves[1].length);
            System.arraycopy(halves[2], 0, joined, halves[1].length, halves[2].length);
            // bit for bit: the same float operations whichever way the elements are updated
            assertThat(joined).as("%s, the large parameter", name).containsExactly(whole[1]);
        }
    }

    @Test
    void onAGpuEveryParameterStaysInTheFlatUpdate() {
        // one kernel sequence per step on a GPU whatever the sizes; the CPU updates large parameters on their own
        assertThat(FlatOptimizer.separateMinSize(ai.djl.Device.gpu())).isEqualTo(Long.MAX_VALUE);
        assertThat(FlatOptimizer.separateMinSize(ai.djl.Device.gpu(1))).isEqualTo(Long.MAX_VALUE);
        assertThat(FlatOptimizer.separateMinSize(ai.djl.Device.cpu())).isEqualTo(FlatOptimizer.CPU_SEPARATE_MIN_SIZE);
    }

    @Test
    void adamStateOfALargeParameterSavedAndLoadedContinuesExactly() throws Exception {
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu());
                Adam first = Adam.builder().optWeightDecay(0.01f).build();
                Adam resumed = Adam.builder().optWeightDecay(0.01f).build()) {
            java.util.Random random = new java.util.Random(7);
            Shape large = new Shape(260, 260);
            List<Parameter> both = List.of(
                    parameter(manager, "small", gaussian(random, 5), new Shape(5)),
                    parameter(manager, "large", gaussian(random, (int) large.size()), large));
            for (int t = 0; t < 3; t++) {
                if (t == 2) {
                    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                    first.save(new java.io.DataOutputStream(bytes), both);
                    resumed.load(
                            new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())), both);
                }
                for (Parameter p : both) {
                    backward(
                            p,
                            manager.create(
                                    gaussian(random, (int) p.getArray().size()),
                                    p.getArray().getShape()));
                }
                if (t < 2) {
                    first.step(both, 0.01f);
                    Gradients.zero(both);
                }
            }
            float[][] before =
                    both.stream().map(p -> p.getArray().toFloatArray()).toArray(float[][]::new);
            first.step(both, 0.01f);
            float[][] afterFirst =
                    both.stream().map(p -> p.getArray().toFloatArray()).toArray(float[][]::new);
            for (int i = 0; i < both.size(); i++) {
                manager.create(before[i], both.get(i).getArray().getShape())
                        .copyTo(both.get(i).getArray());
            }
            resumed.step(both, 0.01f);
            assertThat(afterFirst[1]).isNotEqualTo(before[1]);
            for (int i = 0; i < both.size(); i++) {
                assertThat(both.get(i).getArray().toFloatArray())
                        .as("parameter %d", i)
                        .containsExactly(afterFirst[i]);
            }
        }
    }

    /**
     * Five steps of {@code optimizer} on a small vector and a 260x260 matrix, or ({@code split}) on
     * the same vector and the matrix's two 130-row halves as separate parameters, with the same
     * starting values and gradients either way.
     */
    private static float[][] trainHalves(Optimizer optimizer, boolean split) {
        int rows = 260;
        int columns = 260;
        try (optimizer;
                NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            java.util.Random random = new java.util.Random(5);
            float[] small = gaussian(random, 5);
            float[] matrix = gaussian(random, rows * columns);
            List<Parameter> params = new java.util.ArrayList<>();
            params.add(parameter(manager, "small", small, new Shape(5)));
            if (split) {
                int half = rows / 2 * columns;
                params.add(parameter(
                        manager, "top", java.util.Arrays.copyOfRange(matrix, 0, half), new Shape(rows / 2, columns)));
                params.add(parameter(
                        manager,
                        "bottom",
                        java.util.Arrays.copyOfRange(matrix, half, matrix.length),
                        new Shape(rows / 2, columns)));
            } else {
                params.add(parameter(manager, "matrix", matrix, new Shape(rows, columns)));
            }
            for (int t = 0; t < 5; t++) {
                float[] smallGradient = gaussian(random, 5);
                float[] matrixGradient = gaussian(random, rows * columns);
                backward(params.get(0), manager.create(smallGradient));
                if (split) {
                    int half = rows / 2 * columns;
                    backward(
                            params.get(1),
                            manager.create(
                                    java.util.Arrays.copyOfRange(matrixGradient, 0, half),
                                    new Shape(rows / 2, columns)));
                    backward(
                            params.get(2),
                            manager.create(
                                    java.util.Arrays.copyOfRange(matrixGradient, half, matrixGradient.length),
                                    new Shape(rows / 2, columns)));
                } else {
                    backward(params.get(1), manager.create(matrixGradient, new Shape(rows, columns)));
                }
                optimizer.step(params, 0.05f);
                Gradients.zero(params);
            }
            return params.stream().map(p -> p.getArray().toFloatArray()).toArray(float[][]::new);
        }
    }

    private static float[] gaussian(java.util.Random random, int size) {
        float[] values = new float[size];
        for (int k = 0; k < size; k++) {
            values[k] = (float) random.nextGaussian();
        }
        return values;
    }

    private static Parameter parameter(NDManager manager, String name, float[] start, Shape shape) {
        Parameter p = Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.WEIGHT)
                .optShape(shape)
                .optInitializer((m, s, type) -> m.create(start, s))
                .build();
        p.initialize(manager, DataType.FLOAT32);
        return p;
    }

    @Test
    void anOptimizerServesOneListOfParameters() {
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu());
                Optimizer sgd = Sgd.builder().build()) {
            Parameter p = parameter(manager);
            Parameter q = parameter(manager);
            backward(p, manager.create(GRADIENTS[0]));
            backward(q, manager.create(GRADIENTS[0]));
            sgd.step(List.of(p, q), 0.1f);
            assertThatThrownBy(() -> sgd.step(List.of(p), 0.1f))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("updates 2 parameters");
            assertThatThrownBy(() -> sgd.step(List.of(q, p), 0.1f))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is not the one");
        }
    }

    @Test
    void adamStateSavedAndLoadedContinuesExactly() throws Exception {
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu());
                Adam first = Adam.builder().optWeightDecay(0.01f).build();
                Adam resumed = Adam.builder().optWeightDecay(0.01f).build()) {
            Parameter p = parameter(manager);
            Parameter q = parameter(manager);
            List<Parameter> both = List.of(p, q);
            for (int t = 0; t < 2; t++) {
                backward(p, manager.create(GRADIENTS[t]));
                backward(q, manager.create(GRADIENTS[2 - t]));
                first.step(both, 0.01f);
                Gradients.zero(both);
            }
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            first.save(new java.io.DataOutputStream(bytes), both);
            resumed.load(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())), both);
            float[] pBefore = p.getArray().toFloatArray();
            float[] qBefore = q.getArray().toFloatArray();
            backward(p, manager.create(GRADIENTS[2]));
            backward(q, manager.create(GRADIENTS[1]));
            first.step(both, 0.01f);
            float[] pFirst = p.getArray().toFloatArray();
            float[] qFirst = q.getArray().toFloatArray();
            manager.create(pBefore).copyTo(p.getArray());
            manager.create(qBefore).copyTo(q.getArray());
            resumed.step(both, 0.01f);
            assertThat(p.getArray().toFloatArray()).containsExactly(pFirst);
            assertThat(q.getArray().toFloatArray()).containsExactly(qFirst);
        }
    }

    private static float[] run(Optimizer optimizer, float lr) {
        return run(optimizer, lr, GRADIENTS.length);
    }

    private static float[] run(Optimizer optimizer, float lr, int steps) {
        try (optimizer;
                NDManager manager = NDManager.newBaseManager()) {
            Parameter p = parameter(manager);
            for (int i = 0; i < steps; i++) {
                backward(p, manager.create(GRADIENTS[i]));
                optimizer.step(List.of(p), lr);
                Gradients.zero(List.of(p));
            }
            return p.getArray().toFloatArray();
        }
    }

    private static Parameter parameter(NDManager manager) {
        Parameter p = Parameter.builder()
                .setName("p")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(3))
                .optInitializer((m, shape, type) -> m.create(START))
                .build();
        p.initialize(manager, DataType.FLOAT32);
        return p;
    }

    private static void backward(Parameter p, NDArray c) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(c.mul(p.getArray()).sum());
        }
    }

    private static double[] referenceSgd(double lr, double momentum, double dampening, double wd, boolean nesterov) {
        double[] p = toDouble(START);
        double[] buf = new double[p.length];
        for (int t = 0; t < GRADIENTS.length; t++) {
            for (int i = 0; i < p.length; i++) {
                double d = GRADIENTS[t][i] + wd * p[i];
                if (momentum != 0) {
                    buf[i] = t == 0 ? d : momentum * buf[i] + (1 - dampening) * d;
                    d = nesterov ? d + momentum * buf[i] : buf[i];
                }
                p[i] -= lr * d;
            }
        }
        return p;
    }

    private static double[] referenceAdam(double lr, double b1, double b2, double eps, double wd) {
        double[] p = toDouble(START);
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        for (int t = 1; t <= GRADIENTS.length; t++) {
            for (int i = 0; i < p.length; i++) {
                double g = GRADIENTS[t - 1][i] + wd * p[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.pow(b1, t));
                double denominator = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                p[i] -= lr * mHat / denominator;
            }
        }
        return p;
    }

    private static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static void assertClose(float[] actual, double[] expected) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], within(2e-6));
        }
    }
}
