package org.mnemos.engine.spec;

import java.util.List;

/**
 * Class-incremental masking (Luo et al., CVPR 2023): masks from the CAMs of a copy of the backbone
 * whose ReLUs are learnable rational activations, trained bilevel with the classifier after each
 * epoch. Null fields take the defaults of the authors' configuration files (cim-*.json).
 *
 * @param ratio compression ratio r (default 4)
 * @param threshold mask threshold (default 0.6)
 * @param mode {@code bilevel} (second order through the inner step, the authors' code) or
 *     {@code firstOrder} (the inner gradient is treated as a constant)
 * @param metaItersPerClass meta-iterations per new class and epoch (default 0.5)
 * @param metaBatchSize images per meta batch (default 16)
 * @param lrRatio the inner step's learning rate over the main stage's current one (default 0.1)
 * @param activationLr Adam learning rate of the activations' coefficients (default 0.01, cosine over the epochs)
 * @param activationWeightDecay Adam weight decay of the coefficients (default 5e-4)
 * @param maxGradNorm gradient-norm clip of the coefficients (default 1; √2 times it in incremental phases)
 * @param divCoef weight of the CIM model's own cross-entropy (default 0.2)
 * @param regCoef weight of mean(cam²) (default 0.1)
 * @param regenerateEvery epochs between box regenerations during training (default 40)
 * @param randomCompressionStep rise of the probability that a new-class training image is compressed, per regeneration (default 0.1)
 */
public record CimCompressionSpec(
        String name,
        Double ratio,
        Double threshold,
        String mode,
        Double metaItersPerClass,
        Integer metaBatchSize,
        Double lrRatio,
        Double activationLr,
        Double activationWeightDecay,
        Double maxGradNorm,
        Double divCoef,
        Double regCoef,
        Integer regenerateEvery,
        Double randomCompressionStep) implements CompressionSpec {

    public static final String NAME = "cim";
    public static final List<String> MODES = List.of("bilevel", "firstOrder");

    public CimCompressionSpec resolved() {
        return new CimCompressionSpec(
                NAME,
                or(ratio, DEFAULT_RATIO),
                or(threshold, DEFAULT_THRESHOLD),
                mode == null ? "bilevel" : mode,
                or(metaItersPerClass, 0.5),
                metaBatchSize == null ? 16 : metaBatchSize,
                or(lrRatio, 0.1),
                or(activationLr, 0.01),
                or(activationWeightDecay, 5e-4),
                or(maxGradNorm, 1.0),
                or(divCoef, 0.2),
                or(regCoef, 0.1),
                regenerateEvery == null ? 40 : regenerateEvery,
                or(randomCompressionStep, 0.1));
    }

    private static double or(Double value, double fallback) {
        return value == null ? fallback : value;
    }
}
