package org.mnemos.engine.spec;

/**
 * Options of the {@code icarl} method (Rebuffi et al. 2017 as PyCIL runs it); null takes the default.
 *
 * @param temperature distillation temperature (default 2)
 * @param distillationWeight weight of the distillation term (default 1)
 */
public record IcarlSpec(String name, Double temperature, Double distillationWeight) implements MethodSpec {

    public static final String NAME = "icarl";
}
