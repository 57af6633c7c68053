package org.mnemos.engine.optim;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.mnemos.engine.util.Scalars;

/**
 * What SGD and Adam share. The update rule runs once per step on flat buffers, the way PyTorch's
 * multi-tensor ({@code foreach}) optimisers do: the gradients are concatenated into one vector,
 * the state (momentum buffer, Adam's moments) is one vector of the same layout, and the rule costs
 * a handful of kernels whatever the number of parameters. Only the write-back stays per parameter
 * (one in-place subtraction each; DJL cannot make a parameter a view of a shared buffer). Before,
 * every parameter cost ~7–14 kernel launches and as many JNI calls per step, which is where the
 * GPU lost to PyTorch eager on ResNet-32's ~100 parameter tensors.
 *
 * <p>On the CPU a parameter of {@link #CPU_SEPARATE_MIN_SIZE} elements or more is updated on its
 * own, straight from its gradient into views of its slices of the state vectors: the concatenation
 * copies it and every flat temporary is as large as all parameters together, and glibc gives such
 * temporaries back to the kernel at the end of each step (MADV_DONTNEED) only to fault them in
 * again in the next; the MLP 784-400-400's step lost half its speed to that (bench/RESULTS.md,
 * issue 25). Its own update costs ~12 libtorch calls more per step; on a GPU each is a kernel
 * launch, so there every parameter stays in the flat update. Each temporary of a step is closed as
 * soon as it is dead rather than with the step, so at most two of a parameter's size are alive at
 * a time: the allocator reuses their memory while it is still in the cache, and far less memory
 * comes free at once at the step's end, when glibc decides whether to trim.
 *
 * <p>Each element goes through the same float operations in the same order whichever way it is
 * updated, as in the per-parameter rule, so results are bit for bit unchanged ({@code OptimizerTest}).
 * State lives in a manager the optimizer owns, on the device of the parameters (never the engine's
 * default device, which is the GPU on a GPU host); each step's temporaries in a sub-manager closed
 * after the step. PyTorch's L2 weight decay is folded into the gradient before the rule sees it.
 *
 * <p>One optimizer serves one list of parameters (those that require a gradient), as a stage or a
 * PyTorch parameter group does; a step with another list is a programming error.
 */
abstract class FlatOptimizer implements Optimizer {

    /**
     * On the CPU, the size from which a parameter is updated on its own (256 KiB of float32): the
     * MLP's two weight matrices (313,600 and 160,000 elements) go on their own and its flat update
     * shrinks to 4,810 elements, while ResNet-32's largest tensor (36,864) and every other one stay
     * in the flat update, which measured no slower there than per-parameter (bench/RESULTS.md).
     */
    static final long CPU_SEPARATE_MIN_SIZE = 1L << 16;

    private final float weightDecay;
    /** Created at the first step (or restore), on the device of the parameters it updates. */
    private NDManager stateManager;

    private Layout layout;
    /** The rule's state vectors (whole), for checkpoints; the layout's views share their memory. */
    private List<NDArray> stateVectors = List.of();
    /** The rule's constants that never change (betas, epsilon, momentum, weight decay), by value, in the state manager. */
    private final java.util.Map<Float, NDArray> fixedConstants = new java.util.HashMap<>();
    /** The step's constants ({@link #stepConstant}), by value, in the step's manager; empty between steps. */
    private final java.util.Map<Float, NDArray> stepConstants = new java.util.HashMap<>();

    private NDManager stepManager;
    /** Steps taken: Adam's bias correction, SGD's first-step momentum buffer. */
    private int steps;

    FlatOptimizer(float weightDecay) {
        this.weightDecay = weightDecay;
    }

    @Override
    public final void step(List<Parameter> params, float lr) {
        List<Parameter> trainable =
                params.stream().filter(Parameter::requiresGradient).toList();
        if (trainable.isEmpty()) {
            return;
        }
        if (layout == null) {
            start(trainable);
        } else {
            layout.check(trainable);
        }
        try (NDManager step = stateManager.newSubManager()) {
            steps++;
            stepManager = step;
            for (int i : layout.separate) {
                NDArray weight = trainable.get(i).getArray();
                try (NDArray gradient = own(weight.getGradient(), step);
                        NDArray decayed = weightDecay == 0f
                                ? null
                                : own(weight.mul(fixed(weightDecay)), step).addi(gradient);
                        NDArray update = update(
                                decayed == null ? gradient : decayed, layout.separateState.get(i), lr, steps, step)) {
                    weight.subi(update);
                }
            }
            if (!layout.flat.isEmpty()) {
                stepFlat(layout.flat.stream().map(trainable::get).toList(), lr, step);
            }
        } finally {
            stepManager = null;
            stepConstants.clear();
        }
    }

    /** One update of the parameters updated together; each temporary is closed once it is dead, as in the rules. */
    private void stepFlat(List<Parameter> flat, float lr, NDManager step) {
        NDArray gradient = Layout.flatten(flat, NDArray::getGradient, step);
        if (weightDecay != 0f) {
            // a new array: with one parameter the flat weights are a view of the weights themselves
            try (NDArray weights = Layout.flatten(flat, weight -> weight.reshape(-1), step);
                    NDArray undecayed = gradient) {
                gradient = own(weights.mul(fixed(weightDecay)), step).addi(undecayed);
            }
        }
        try (NDArray rule = gradient;
                NDArray update = update(rule, layout.flatState, lr, steps, step)) {
            if (flat.size() == 1) {
                NDArray weight = flat.get(0).getArray();
                try (NDArray shaped = update.reshape(weight.getShape())) {
                    weight.subi(shaped);
                }
                return;
            }
            try (NDList pieces = update.split(layout.flatSplitPoints())) {
                for (int i = 0; i < flat.size(); i++) {
                    NDArray weight = flat.get(i).getArray();
                    try (NDArray shaped = pieces.get(i).reshape(weight.getShape())) {
                        weight.subi(shaped);
                    }
                }
            }
        }
    }

    private void start(List<Parameter> trainable) {
        Device device = trainable.get(0).getArray().getDevice();
        stateManager = NDManager.newBaseManager(device);
        layout = new Layout(trainable, separateMinSize(device));
        stateVectors = createState(layout.size, stateManager);
        layout.viewState(stateVectors);
    }

    /**
     * The size from which a parameter on {@code device} is updated on its own: on a GPU none is, so
     * that a step stays one kernel sequence whatever the number of parameters.
     */
    static long separateMinSize(Device device) {
        return device.isGpu() ? Long.MAX_VALUE : CPU_SEPARATE_MIN_SIZE;
    }

    /**
     * Allocates the rule's state vectors of {@code size} elements (zeros) in {@code stateManager};
     * the rule is handed the same vectors, or views of a part of them, in the same order.
     */
    abstract List<NDArray> createState(long size, NDManager stateManager);

    /**
     * Advances {@code state} with this step's {@code gradient} and returns what is subtracted from
     * the weights; {@code state} are views of the state vectors shaped as {@code gradient} (flat
     * for several parameters, one parameter's shape for one updated on its own), and {@code step}
     * counts from 1. {@code gradient} may be a view of a parameter's gradient: read it, never write it.
     * The result is a new array in {@code temporaries}, which the caller closes once it is applied.
     */
    abstract NDArray update(NDArray gradient, List<NDArray> state, float lr, int step, NDManager temporaries);

    /**
     * {@code value} as a 0-d constant on the parameters' device ({@link Scalars#constant}, not copied
     * from the host) for a value that changes from step to step (the learning rate, Adam's bias
     * corrections): made once per step, whatever the number of groups that use it.
     */
    final NDArray stepConstant(float value) {
        return stepConstants.computeIfAbsent(value, v -> Scalars.constant(v, stepManager, stepManager.getDevice()));
    }

    /**
     * {@code value} as a 0-d constant made once, on the parameters' device, for the values a rule
     * uses at every step: filling it anew each step cost a libtorch call per constant and group.
     */
    final NDArray fixed(float value) {
        return fixedConstants.computeIfAbsent(value, v -> Scalars.constant(v, stateManager, stateManager.getDevice()));
    }

    static NDArray own(NDArray array, NDManager manager) {
        array.attach(manager);
        return array;
    }

    final int steps() {
        return steps;
    }

    /** The slice of a state vector that belongs to {@code parameter}, or null when it has no state yet. */
    final NDArray sliceOf(NDArray state, Parameter parameter) {
        int index = layout == null ? -1 : layout.ids.indexOf(parameter.getId());
        if (index < 0) {
            return null;
        }
        long from = layout.offsets[index];
        return state.get("{}:{}", from, from + layout.shapes.get(index).size());
    }

    /**
     * Installs a saved state for {@code params} (all of which have one) after {@code steps} steps:
     * {@code fill} writes each parameter's slice of the freshly created state vectors.
     */
    final void restore(
            List<Parameter> params,
            int steps,
            java.util.function.BiConsumer<Parameter, Function<NDArray, NDArray>> fill) {
        close();
        start(params);
        this.steps = steps;
        for (Parameter parameter : params) {
            fill.accept(parameter, state -> sliceOf(state, parameter));
        }
    }

    @Override
    public final void writeState(java.io.DataOutputStream out) throws java.io.IOException {
        out.writeInt(steps);
        out.writeBoolean(layout != null);
        if (layout == null) {
            return;
        }
        out.writeInt(stateVectors.size());
        for (NDArray vector : stateVectors) {
            float[] values = vector.toFloatArray();
            out.writeInt(values.length);
            for (float value : values) {
                out.writeFloat(value);
            }
        }
    }

    @Override
    public final void readState(java.io.DataInputStream in, List<Parameter> params) throws java.io.IOException {
        int savedSteps = in.readInt();
        close();
        if (!in.readBoolean()) {
            steps = savedSteps;
            return;
        }
        start(params.stream().filter(Parameter::requiresGradient).toList());
        steps = savedSteps;
        int vectors = in.readInt();
        if (vectors != stateVectors.size()) {
            throw new java.io.IOException(
                    "optimiser state of " + vectors + " vectors, expected " + stateVectors.size());
        }
        for (NDArray vector : stateVectors) {
            int length = in.readInt();
            if (length != vector.size()) {
                throw new java.io.IOException("optimiser state of " + length + " elements, expected " + vector.size());
            }
            float[] values = new float[length];
            for (int i = 0; i < length; i++) {
                values[i] = in.readFloat();
            }
            try (NDManager upload = stateManager.newSubManager()) {
                vector.set(new ai.djl.ndarray.index.NDIndex(":"), upload.create(values));
            }
        }
    }

    @Override
    public void close() {
        layout = null;
        stateVectors = List.of();
        fixedConstants.clear();
        steps = 0;
        if (stateManager != null) {
            stateManager.close();
            stateManager = null;
        }
    }

    /**
     * Where each parameter's elements sit in the state vectors: the parameters updated together
     * first, contiguous, then those updated on their own.
     */
    private static final class Layout {
        private final List<String> ids = new ArrayList<>();
        private final List<Shape> shapes = new ArrayList<>();
        private final long[] offsets;
        private final long size;
        /** Indices of the parameters updated together, in order. */
        private final List<Integer> flat = new ArrayList<>();
        /** Indices of the parameters updated on their own, in order. */
        private final List<Integer> separate = new ArrayList<>();

        private final long flatSize;
        /** The state vectors' views over the parameters updated together. */
        private List<NDArray> flatState;
        /** Per parameter updated on its own (by index), the state vectors' views shaped as the parameter. */
        private final java.util.Map<Integer, List<NDArray>> separateState = new java.util.HashMap<>();

        Layout(List<Parameter> params, long separateMinSize) {
            offsets = new long[params.size()];
            for (int i = 0; i < params.size(); i++) {
                ids.add(params.get(i).getId());
                Shape shape = params.get(i).getArray().getShape();
                shapes.add(shape);
                (shape.size() >= separateMinSize ? separate : flat).add(i);
            }
            long offset = 0;
            for (int i : flat) {
                offsets[i] = offset;
                offset += shapes.get(i).size();
            }
            flatSize = offset;
            for (int i : separate) {
                offsets[i] = offset;
                offset += shapes.get(i).size();
            }
            size = offset;
        }

        /** Makes the views each update reads and writes; they share the vectors' memory and live as long. */
        void viewState(List<NDArray> vectors) {
            flatState = vectors.stream()
                    .map(vector -> vector.get("{}:{}", 0, flatSize))
                    .toList();
            for (int i : separate) {
                long from = offsets[i];
                separateState.put(
                        i,
                        vectors.stream()
                                .map(vector -> vector.get(
                                                "{}:{}",
                                                from,
                                                from + shapes.get(i).size())
                                        .reshape(shapes.get(i)))
                                .toList());
            }
        }

        void check(List<Parameter> params) {
            if (params.size() != ids.size()) {
                throw new IllegalStateException(
                        "this optimizer updates " + ids.size() + " parameters, got " + params.size());
            }
            for (int i = 0; i < params.size(); i++) {
                if (!params.get(i).getId().equals(ids.get(i))) {
                    throw new IllegalStateException("parameter " + i + " ("
                            + params.get(i).getName() + ") is not the one this optimizer updates");
                }
            }
        }

        /** One vector of {@code read(weight)} over {@code params}, in {@code manager}. */
        static NDArray flatten(List<Parameter> params, Function<NDArray, NDArray> read, NDManager manager) {
            NDList pieces = new NDList(params.size());
            for (Parameter parameter : params) {
                // getGradient() and reshape() answer with a new handle in the parameter's manager: move it to the step
                NDArray piece = read.apply(parameter.getArray());
                piece.attach(manager);
                pieces.add(piece.reshape(-1));
            }
            return pieces.size() == 1 ? pieces.get(0) : NDArrays.concat(pieces);
        }

        long[] flatSplitPoints() {
            long[] points = new long[flat.size() - 1];
            for (int k = 1; k < flat.size(); k++) {
                points[k - 1] = offsets[flat.get(k)];
            }
            return points;
        }
    }
}
