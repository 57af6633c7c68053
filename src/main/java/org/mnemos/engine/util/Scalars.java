package org.mnemos.engine.util;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic between an array and a constant whose memory PyTorch owns, for code that autograd
 * records.
 *
 * <p>DJL's {@code NDArray.mul(Number)} (likewise div, maximum, minimum, pow) wraps the number in a
 * 0-d tensor over a Java direct buffer ({@code torch::from_blob}, which does not own the memory)
 * and closes that array as soon as the operation returns. Autograd keeps the 0-d tensor for the
 * backward pass (the gradient of a product needs the other factor; maximum, minimum and pow need
 * both operands), but nothing keeps the buffer alive any more: a garbage collection between
 * forward and backward frees it, and the backward then multiplies by whatever the allocator wrote
 * there. The result is wrong or NaN gradients that differ from run to run. Here the constant is a
 * {@code torch::full} tensor, kept alive by autograd's own reference once the wrapper is closed.
 * Additions and subtractions keep no operand for the backward; {@code add(Number)} and
 * {@code sub(Number)} are safe as they are.
 */
public final class Scalars {

    private Scalars() {}

    /** {@code x · value}. */
    public static NDArray mul(NDArray x, float value) {
        try (NDArray constant = constant(x, value)) {
            return x.mul(constant);
        }
    }

    /** {@code x / value}. */
    public static NDArray div(NDArray x, float value) {
        try (NDArray constant = constant(x, value)) {
            return x.div(constant);
        }
    }

    /** Element-wise {@code max(x, value)}. */
    public static NDArray maximum(NDArray x, float value) {
        try (NDArray constant = constant(x, value)) {
            return x.maximum(constant);
        }
    }

    /** Element-wise {@code x^value}. */
    public static NDArray pow(NDArray x, float value) {
        try (NDArray constant = constant(x, value)) {
            return x.pow(constant);
        }
    }

    private static NDArray constant(NDArray x, float value) {
        return constant(value, x.getManager(), x.getDevice());
    }

    /**
     * A float32 0-d constant, as DJL makes of a float (so type promotion is unchanged), filled on
     * {@code device}. Also for code autograd does not record: DJL's own conversion copies the number
     * from the host, and on a GPU every such copy waits for the queue to drain.
     */
    public static NDArray constant(float value, NDManager manager, Device device) {
        return manager.full(new Shape(), value, DataType.FLOAT32, device);
    }
}
