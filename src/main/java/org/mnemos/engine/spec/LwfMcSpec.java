package org.mnemos.engine.spec;

/**
 * The {@code lwf-mc} method (iCaRL's sigmoid distillation without exemplars): no options.
 */
public record LwfMcSpec(String name) implements MethodSpec {

    public static final String NAME = "lwf-mc";
}
