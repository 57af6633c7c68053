package org.mnemos.artifacts;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.mnemos.engine.PhaseExemplars;

/** numpy's .npy format (version 1.0) for a C-order float array, as {@code numpy.load} reads it. */
final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

    private Npy() {}

    /** {@code values} as {@code <f2} ({@code half}) or {@code <f4}, with the given shape. */
    static byte[] floats(float[] values, boolean half, int... shape) {
        long count = Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b);
        if (count != values.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " does not hold " + values.length + " values");
        }
        String dims = Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        String dict = "{'descr': '" + (half ? "<f2" : "<f4") + "', 'fortran_order': False, 'shape': (" + dims
                + (shape.length == 1 ? "," : "") + "), }";
        // magic + 2-byte length + dict + padding + newline, a multiple of 64 bytes
        int unpadded = MAGIC.length + 2 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        int width = half ? 2 : 4;
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 2 + header.length() + values.length * width)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        for (float v : values) {
            if (half) {
                out.putShort(PhaseExemplars.halfBits(v));
            } else {
                out.putFloat(v);
            }
        }
        return out.array();
    }
}
