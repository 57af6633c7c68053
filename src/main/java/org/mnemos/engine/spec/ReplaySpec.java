package org.mnemos.engine.spec;

/**
 * The {@code replay} method (rehearsal of an exemplar memory): no options.
 */
public record ReplaySpec(String name) implements MethodSpec {

    public static final String NAME = "replay";
}
