package org.mnemos.engine.model.interop;

import java.io.IOException;

/**
 * A safetensors file that cannot be read, or whose content does not fit the network it is meant
 * for. {@code tensor} names the offending tensor, or is null when the problem is the file as a
 * whole (its length, its header).
 */
public class SafeTensorsException extends IOException {

    private final String tensor;

    public SafeTensorsException(String tensor, String message) {
        super(tensor == null ? message : "tensor '" + tensor + "': " + message);
        this.tensor = tensor;
    }

    public SafeTensorsException(String message) {
        this(null, message);
    }

    public String tensor() {
        return tensor;
    }
}
