package org.mnemos.engine.spec;

/**
 * Options of the {@code lwf} method (Li & Hoiem 2016 as PyCIL runs it); null takes the default.
 *
 * @param temperature distillation temperature (default 2)
 * @param distillationWeight weight of the distillation term (default 3)
 */
public record LwfSpec(String name, Double temperature, Double distillationWeight) implements MethodSpec {

    public static final String NAME = "lwf";
}
