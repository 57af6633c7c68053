package org.mnemos.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The model layer's forward hook on BatchNorm: while a tap is open on the calling thread, every
 * BatchNorm layer of the backbones records its input and its running statistics (model inversion
 * matches the former to the latter, DeepInversion's feature-distribution prior). DJL blocks have no
 * forward hooks, so every BatchNorm call of the model package goes through {@link #forward}.
 */
public final class BatchNormTap implements AutoCloseable {

    /** One BatchNorm layer's input (N, C, H, W) and its running mean and variance (C). */
    public record Observation(NDArray input, NDArray runningMean, NDArray runningVar) {}

    private static final ThreadLocal<BatchNormTap> OPEN = new ThreadLocal<>();

    private final List<Observation> observations = new ArrayList<>();

    private BatchNormTap() {}

    /** Starts recording on this thread; close it to stop. Taps do not nest. */
    public static BatchNormTap open() {
        if (OPEN.get() != null) {
            throw new IllegalStateException("a BatchNorm tap is already open on this thread");
        }
        BatchNormTap tap = new BatchNormTap();
        OPEN.set(tap);
        return tap;
    }

    /** The layers seen since the tap opened, in forward order. */
    public List<Observation> observations() {
        return List.copyOf(observations);
    }

    @Override
    public void close() {
        OPEN.remove();
    }

    /** {@code bn} on {@code x}, recorded when a tap is open. */
    static NDArray forward(BatchNorm bn, ParameterStore parameterStore, NDArray x, boolean training) {
        BatchNormTap tap = OPEN.get();
        if (tap != null) {
            tap.observations.add(new Observation(
                    x,
                    statistic(bn, parameterStore, x, "runningMean"),
                    statistic(bn, parameterStore, x, "runningVar")));
        }
        return bn.forward(parameterStore, new NDList(x), training).head();
    }

    private static NDArray statistic(BatchNorm bn, ParameterStore parameterStore, NDArray x, String name) {
        Parameter parameter = bn.getParameters().get(name);
        return parameterStore.getValue(parameter, x.getDevice(), false);
    }
}
