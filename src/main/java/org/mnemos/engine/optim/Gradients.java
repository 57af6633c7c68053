package org.mnemos.engine.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;

/** Gradient housekeeping; DJL's PyTorch engine accumulates gradients across backward passes. */
public final class Gradients {

    private Gradients() {}

    /** Zeroes the accumulated gradients of the parameters (no allocation). */
    public static void zero(List<Parameter> params) {
        for (Parameter parameter : params) {
            NDArray array = parameter.getArray();
            if (array != null && array.hasGradient()) {
                JniUtils.zeroGrad((PtNDArray) array);
            }
        }
    }
}
