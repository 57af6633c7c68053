package org.mnemos.engine.spec;

/** Exemplars are stored as the full images they are (the default). */
public record NoCompressionSpec(String name) implements CompressionSpec {

    public static final String NAME = "none";
}
