package org.mnemos.engine.model.interop;

import java.util.Arrays;
import java.util.List;

/** The element types of the safetensors format PyTorch reads and writes; {@link #bytes} per element. */
public enum Dtype {
    F64(8),
    F32(4),
    F16(2),
    BF16(2),
    I64(8),
    I32(4),
    I16(2),
    I8(1),
    U8(1),
    BOOL(1);

    public static final List<String> NAMES =
            Arrays.stream(values()).map(Enum::name).toList();

    private final int bytes;

    Dtype(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** The type a header names, or null for one this reader does not know. */
    static Dtype named(String name) {
        for (Dtype dtype : values()) {
            if (dtype.name().equals(name)) {
                return dtype;
            }
        }
        return null;
    }
}
