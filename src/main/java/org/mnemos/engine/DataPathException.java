package org.mnemos.engine;

/**
 * A client-supplied data path that is not allowed or not present; the message says which. Like
 * {@link SpecException} it is the engine's answer to a client's input, so it lives at the engine's
 * front, where the service catches it.
 */
public class DataPathException extends RuntimeException {

    public DataPathException(String message) {
        super(message);
    }
}
