package org.mnemos.engine.parts.method.dfcil;

import org.mnemos.engine.spec.InversionSpec;

/** The options of {@code method} of abd and deepinversion with their defaults filled in. */
public final class InversionOptions {

    public static final int ITERATIONS = 10_000;
    public static final int BATCH_SIZE = 128;
    public static final double LR = 1e-3;
    public static final int LATENT_DIM = 1000;
    public static final double TAU = 1000;
    public static final double CONTENT_WEIGHT = 1;
    public static final double BN_WEIGHT = 50;
    public static final double SMOOTHNESS_WEIGHT = 1e-3;
    /** ABD's feature-distillation weight (--mu 1e-1 in the authors' scripts). */
    public static final double ABD_MU = 0.1;
    /** DeepInversion's distillation weight (--mu 1 in the authors' scripts). */
    public static final double DEEPINVERSION_MU = 1;
    /** The authors draw replayed dreams with {@code generator.eval()} ({@code datafree_helper.py} sample). */
    public static final String SAMPLE_MODE = "eval";
    /** The authors forward {@code torch.cat} of real images and dreams as one batch ({@code datafree.py} combine_data). */
    public static final String REPLAY_BATCH_NORM = "joint";

    private InversionOptions() {}

    /** {@code spec} (may be null) with every unset option at its default; {@code abd} picks μ's default. */
    public static InversionSpec resolve(InversionSpec spec, boolean abd) {
        InversionSpec s = spec == null ? new InversionSpec(null, null, null, null, null, null, null, null, null) : spec;
        return new InversionSpec(
                s.iterations() != null ? s.iterations() : ITERATIONS,
                s.batchSize() != null ? s.batchSize() : BATCH_SIZE,
                s.lr() != null ? s.lr() : LR,
                s.latentDim() != null ? s.latentDim() : LATENT_DIM,
                s.tau() != null ? s.tau() : TAU,
                s.contentWeight() != null ? s.contentWeight() : CONTENT_WEIGHT,
                s.bnWeight() != null ? s.bnWeight() : BN_WEIGHT,
                s.smoothnessWeight() != null ? s.smoothnessWeight() : SMOOTHNESS_WEIGHT,
                s.mu() != null ? s.mu() : abd ? ABD_MU : DEEPINVERSION_MU,
                s.sampleMode() != null ? s.sampleMode() : SAMPLE_MODE,
                s.replayBatchNorm() != null ? s.replayBatchNorm() : REPLAY_BATCH_NORM);
    }
}
