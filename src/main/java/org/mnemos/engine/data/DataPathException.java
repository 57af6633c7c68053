package org.mnemos.engine.data;

/** A client-supplied data path that is not allowed or not present; the message says which. */
public class DataPathException extends RuntimeException {

    public DataPathException(String message) {
        super(message);
    }
}
