package org.mnemos.engine.spec;

/**
 * Options of the {@code deepinversion} method (DeepInversion, Yin et al. 2020, as the ABD authors'
 * {@code DeepInversionGenBN}): the distillation temperature, then the generator's, the inversion's
 * and the replay's options as {@link InversionSpec} describes them (μ: the logit distillation's
 * weight, default 1). Every field is optional.
 *
 * @param temperature distillation temperature (default 2)
 */
public record DeepInversionSpec(
        String name,
        Double temperature,
        Integer iterations,
        Integer batchSize,
        Double lr,
        Integer latentDim,
        Double tau,
        Double contentWeight,
        Double bnWeight,
        Double smoothnessWeight,
        Double mu,
        String sampleMode,
        String replayBatchNorm)
        implements MethodSpec {

    public static final String NAME = "deepinversion";

    /** The inversion and replay options. */
    public InversionSpec inversion() {
        return new InversionSpec(
                iterations,
                batchSize,
                lr,
                latentDim,
                tau,
                contentWeight,
                bnWeight,
                smoothnessWeight,
                mu,
                sampleMode,
                replayBatchNorm);
    }

    /** The spec of {@code temperature} and {@code options}. */
    public static DeepInversionSpec of(Double temperature, InversionSpec o) {
        return new DeepInversionSpec(
                NAME,
                temperature,
                o.iterations(),
                o.batchSize(),
                o.lr(),
                o.latentDim(),
                o.tau(),
                o.contentWeight(),
                o.bnWeight(),
                o.smoothnessWeight(),
                o.mu(),
                o.sampleMode(),
                o.replayBatchNorm());
    }
}
