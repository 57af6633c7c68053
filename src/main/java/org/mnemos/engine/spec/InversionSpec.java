package org.mnemos.engine.spec;

import java.util.List;

/**
 * The options the data-free methods that dream their replay by model inversion share ({@link AbdSpec},
 * {@link DeepInversionSpec}: flat in {@code method}). Every field is optional; the defaults are the
 * authors' CIFAR-100 settings ({@code --power_iters 10000 --deep_inv_params 1e-3 5e1 1e-3 1e3 1}).
 *
 * @param iterations generator training steps after each phase but the last (default 10000)
 * @param batchSize generated images per inversion step (default 128)
 * @param lr Adam learning rate of the generator (default 1e-3)
 * @param latentDim size of the generator's latent code z (default 1000)
 * @param tau temperature of the content loss, CE(logits/τ, argmax) (default 1000)
 * @param contentWeight weight of the content loss (default 1)
 * @param bnWeight total weight of the BatchNorm-statistics loss, split evenly over the layers (default 50)
 * @param smoothnessWeight weight of the image prior, MSE to the 5×5 Gaussian blur (default 1e-3)
 * @param mu weight of the replay's distillation: ABD's importance-weighted feature distillation
 *     (default 0.1); DeepInversion's logit distillation (default 1)
 * @param sampleMode how replayed dreams are drawn: {@code eval} (default, the authors'): the generator's
 *     BatchNorm layers normalise with their running statistics; {@code train}: with each drawn batch's
 *     own statistics, as during the inversion (the running statistics still follow, as in PyTorch's train mode)
 * @param replayBatchNorm how the student's BatchNorm layers see real images and dreams in a training
 *     step: {@code joint} (default, the authors'): one batch of both; {@code separate}: real images and
 *     dreams are normalised apart, each by its own statistics, and only the real images move the running
 *     statistics that evaluation uses
 */
public record InversionSpec(
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
        String replayBatchNorm) {

    public static final List<String> SAMPLE_MODES = List.of("eval", "train");
    public static final List<String> REPLAY_BATCH_NORMS = List.of("joint", "separate");
    /** Every option unset. */
    public static final InversionSpec NONE = new InversionSpec(null, null, null, null, null, null, null, null, null);

    /** The options without the two replay choices (the authors' eval-mode sampling and joint BatchNorm batches). */
    public InversionSpec(
            Integer iterations,
            Integer batchSize,
            Double lr,
            Integer latentDim,
            Double tau,
            Double contentWeight,
            Double bnWeight,
            Double smoothnessWeight,
            Double mu) {
        this(iterations, batchSize, lr, latentDim, tau, contentWeight, bnWeight, smoothnessWeight, mu, null, null);
    }

    /** Dreams drawn with each batch's own BatchNorm statistics ({@code sampleMode: train}). */
    public boolean samplesInTrainMode() {
        return "train".equals(sampleMode);
    }

    /** Real images and dreams normalised apart in the student ({@code replayBatchNorm: separate}). */
    public boolean separatesReplayBatchNorm() {
        return "separate".equals(replayBatchNorm);
    }
}
