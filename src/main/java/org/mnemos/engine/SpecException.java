package org.mnemos.engine;

/** A spec the engine cannot run; {@code field} is the JSON path of the offending value, e.g. {@code protocol.increment}. */
public class SpecException extends RuntimeException {

    private final String field;

    public SpecException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
