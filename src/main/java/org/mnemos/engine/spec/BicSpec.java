package org.mnemos.engine.spec;

/**
 * Options of the {@code bic} method (Wu et al. 2019 as PyCIL runs it); null takes the default.
 *
 * @param temperature distillation temperature (default 2)
 * @param biasValidationFraction fraction of exemplars held out to train the bias layer (default 0.1)
 * @param biasEpochs epochs of the bias correction stage (default 50)
 */
public record BicSpec(String name, Double temperature, Double biasValidationFraction, Integer biasEpochs)
        implements MethodSpec {

    public static final String NAME = "bic";
}
