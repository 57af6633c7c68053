package org.mnemos.engine.spec;

/**
 * The {@code joint} method (training on every image seen so far, the upper bound): no options.
 */
public record JointSpec(String name) implements MethodSpec {

    public static final String NAME = "joint";
}
