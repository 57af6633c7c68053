package org.mnemos.engine.metrics;

/**
 * What CIM's mask-model training did in a phase.
 *
 * @param mode {@code bilevel} or {@code firstOrder}
 * @param metaSteps coefficient updates taken
 * @param skippedSteps meta-iterations left out because their loss or gradient was not finite
 * @param seconds wall time of the meta-iterations and box regenerations
 * @param meanOuterLoss mean outer loss (null without a step) (CE under the stepped weights + div + reg terms)
 * @param meanCamSquare mean of mean(cam²), the regulariser: how much of the images the masks cover
 * @param boxRegenerations times the new classes' boxes were regenerated during training (every {@code regenerateEvery} epochs)
 * @param compressedTrainingImages new-class images the training stages were fed compressed (random compression)
 */
public record CimMetrics(
        String mode,
        int metaSteps,
        int skippedSteps,
        double seconds,
        Double meanOuterLoss,
        Double meanCamSquare,
        int boxRegenerations,
        long compressedTrainingImages)
        implements PartReport {

    public static final String NAME = "cim";

    @Override
    public String reportName() {
        return NAME;
    }
}
