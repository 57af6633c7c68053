package org.mnemos.engine.model.interop;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** One named tensor of a safetensors file: its element type, shape and little-endian bytes. */
public record Tensor(String name, Dtype dtype, long[] shape, byte[] data) {

    public Tensor {
        long elements = elementsOf(shape);
        if ((long) data.length != elements * dtype.bytes()) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(shape)
                    + " and dtype " + dtype + " needs " + elements * dtype.bytes() + " bytes, got " + data.length);
        }
        shape = shape.clone();
    }

    public static Tensor float32(String name, long[] shape, float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return new Tensor(name, Dtype.F32, shape, buffer.array());
    }

    public static Tensor int64(String name, long[] shape, long[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asLongBuffer().put(values);
        return new Tensor(name, Dtype.I64, shape, buffer.array());
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The values of an F32 tensor. */
    public float[] floats() {
        if (dtype != Dtype.F32) {
            throw new IllegalStateException("tensor '" + name + "' is " + dtype + ", not F32");
        }
        float[] values = new float[data.length / Float.BYTES];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    /** Product of the dimensions (1 for a scalar of shape []). */
    public static long elementsOf(long[] shape) {
        long elements = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            elements = Math.multiplyExact(elements, dim);
        }
        return elements;
    }
}
