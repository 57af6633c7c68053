package org.mnemos.engine.spec;

/**
 * Options of the {@code abd} method (Always Be Dreaming, Smith et al., ICCV 2021): the generator's,
 * the inversion's and the replay's, as {@link InversionSpec} describes them (μ: the importance-weighted
 * feature distillation's weight, default 0.1). Every field is optional.
 */
public record AbdSpec(
        String name,
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

    public static final String NAME = "abd";

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

    /** The spec of {@code options}. */
    public static AbdSpec of(InversionSpec o) {
        return new AbdSpec(
                NAME,
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
