package org.mnemos.engine.optim;

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
 * multi-tensor ({@code foreach}) optimisers do: all gradients are concatenated into one vector,
 * the state (momentum buffer, Adam's moments) is one vector of the same layout, and the rule costs
 * a handful of kernels whatever the number of parameters. Only the write-back stays per parameter
 * (one in-place subtraction each; DJL cannot make a parameter a view of a shared buffer). Before,
 * every parameter cost ~7–14 kernel launches and as many JNI calls per step, which is where the
 * GPU lost to PyTorch eager on ResNet-32's ~100 parameter tensors.
 *
 * <p>Each element goes through the same float operations in the same order as the per-parameter
 * rule did, so results are bit for bit unchanged ({@code OptimizerTest}). State lives in a manager
 * the optimizer owns, on the device of the parameters (never the engine's default device, which
 * is the GPU on a GPU host); each step's temporaries in a sub-manager closed after the step.
 * PyTorch's L2 weight decay is folded into the gradient before the rule sees it.
 *
 * <p>One optimizer serves one list of parameters (those that require a gradient), as a stage or a
 * PyTorch parameter group does; a step with another list is a programming error.
 */
abstract class FlatOptimizer implements Optimizer {

    private final float weightDecay;
    /** Created at the first step (or restore), on the device of the parameters it updates. */
    private NDManager stateManager;
    private Layout layout;
    /** Steps taken: Adam's bias correction, SGD's first-step momentum buffer. */
    private int steps;

    FlatOptimizer(float weightDecay) {
        this.weightDecay = weightDecay;
    }

    @Override
    public final void step(List<Parameter> params, float lr) {
        List<Parameter> trainable = params.stream().filter(Parameter::requiresGradient).toList();
        if (trainable.isEmpty()) {
            return;
        }
        if (layout == null) {
            start(trainable);
        } else {
            layout.check(trainable);
        }
        try (NDManager step = stateManager.newSubManager()) {
            NDArray gradient = layout.flatten(trainable, NDArray::getGradient, step);
            if (weightDecay != 0f) {
                // a new array: with one parameter the flat weights are a view of the weights themselves
                gradient = layout.flatten(trainable, weight -> weight.reshape(-1), step).mul(constant(weightDecay, step)).addi(gradient);
            }
            steps++;
            NDArray update = update(gradient, lr, steps, step);
            if (trainable.size() == 1) {
                trainable.get(0).getArray().subi(update.reshape(layout.shapes.get(0)));
                return;
            }
            NDList pieces = update.split(layout.splitPoints());
            for (int i = 0; i < trainable.size(); i++) {
                trainable.get(i).getArray().subi(pieces.get(i).reshape(layout.shapes.get(i)));
            }
        }
    }

    private void start(List<Parameter> trainable) {
        layout = new Layout(trainable);
        stateManager = NDManager.newBaseManager(trainable.get(0).getArray().getDevice());
        createState(layout.size, stateManager);
    }

    /** Allocates the rule's state vectors of {@code size} elements (zeros) in {@code stateManager}. */
    abstract void createState(long size, NDManager stateManager);

    /**
     * Advances the state with this step's flat gradient and returns what is subtracted from the
     * flat weights; {@code step} counts from 1. {@code gradient} may be a view of a parameter's
     * gradient: read it, never write it.
     */
    abstract NDArray update(NDArray gradient, float lr, int step, NDManager temporaries);

    /** {@code value} as a 0-d constant on the temporaries' device, not copied from the host ({@link Scalars#constant}). */
    static NDArray constant(float value, NDManager temporaries) {
        return Scalars.constant(value, temporaries, temporaries.getDevice());
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
    final void restore(List<Parameter> params, int steps, java.util.function.BiConsumer<Parameter, Function<NDArray, NDArray>> fill) {
        close();
        start(params);
        this.steps = steps;
        for (Parameter parameter : params) {
            fill.accept(parameter, state -> sliceOf(state, parameter));
        }
    }

    @Override
    public void close() {
        layout = null;
        steps = 0;
        if (stateManager != null) {
            stateManager.close();
            stateManager = null;
        }
    }

    /** Where each parameter's elements sit in the flat vectors. */
    private static final class Layout {
        private final List<String> ids = new ArrayList<>();
        private final List<Shape> shapes = new ArrayList<>();
        private final long[] offsets;
        private final long size;

        Layout(List<Parameter> params) {
            offsets = new long[params.size()];
            long offset = 0;
            for (int i = 0; i < params.size(); i++) {
                ids.add(params.get(i).getId());
                Shape shape = params.get(i).getArray().getShape();
                shapes.add(shape);
                offsets[i] = offset;
                offset += shape.size();
            }
            size = offset;
        }

        void check(List<Parameter> params) {
            if (params.size() != ids.size()) {
                throw new IllegalStateException("this optimizer updates " + ids.size() + " parameters, got " + params.size());
            }
            for (int i = 0; i < params.size(); i++) {
                if (!params.get(i).getId().equals(ids.get(i))) {
                    throw new IllegalStateException("parameter " + i + " (" + params.get(i).getName() + ") is not the one this optimizer updates");
                }
            }
        }

        /** One vector of {@code read(weight)} over every parameter, in {@code manager}. */
        NDArray flatten(List<Parameter> params, Function<NDArray, NDArray> read, NDManager manager) {
            NDList pieces = new NDList(params.size());
            for (Parameter parameter : params) {
                // getGradient() and reshape() answer with a new handle in the parameter's manager: move it to the step
                NDArray piece = read.apply(parameter.getArray());
                piece.attach(manager);
                pieces.add(piece.reshape(-1));
            }
            return pieces.size() == 1 ? pieces.get(0) : NDArrays.concat(pieces);
        }

        long[] splitPoints() {
            return java.util.Arrays.copyOfRange(offsets, 1, offsets.length);
        }
    }
}
