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
 * @param regenerateEvery epochs between box regenerations during training, fixed (the authors' 40); unset: a fraction of the stage
 * @param randomCompressionStep rise of the probability that a new-class training image is compressed, per regeneration (default 0.1)
 * @param regenerateFraction without {@code regenerateEvery}, the interval between regenerations as a fraction of the main
 *     stage's epochs, {@code max(1, round(fraction · epochs))} (default 0.2: the authors' 40 of 200 initial epochs)
 * @param metaItersPerPhase meta-iterations per phase, spread evenly over its epochs, instead of {@code metaItersPerClass}
 *     per new class and epoch (unset: the authors' per-epoch rule)
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
        Double randomCompressionStep,
        Double regenerateFraction,
        Integer metaItersPerPhase)
        implements CompressionSpec {

    public static final String NAME = "cim";
    public static final List<String> MODES = List.of("bilevel", "firstOrder");
    /** The authors' regeneration interval (cam_update_interval) over their initial epochs: 40 / 200. */
    public static final double DEFAULT_REGENERATE_FRACTION = 0.2;

    /** The defaults alone (the authors' configuration, with the proportional regeneration schedule). */
    public static CimCompressionSpec defaults() {
        return new CimCompressionSpec(
                        NAME, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null)
                .resolved();
    }

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
                regenerateEvery,
                or(randomCompressionStep, 0.1),
                regenerateEvery == null ? or(regenerateFraction, DEFAULT_REGENERATE_FRACTION) : null,
                metaItersPerPhase);
    }

    /**
     * Epochs between box regenerations in a main stage of {@code epochs} epochs: {@code regenerateEvery}
     * when set, else {@code max(1, round(regenerateFraction · epochs))} (of a resolved spec).
     */
    public int regenerationInterval(int epochs) {
        return regenerateEvery != null ? regenerateEvery : Math.max(1, (int) Math.round(regenerateFraction * epochs));
    }

    /**
     * Meta-iterations after epoch {@code epoch} (0-based) of {@code epochs} with {@code newClasses} new
     * classes (of a resolved spec): {@code int(newClasses · metaItersPerClass)}, or the epoch's even share
     * of {@code metaItersPerPhase}.
     */
    public int metaIterations(int epoch, int epochs, int newClasses) {
        if (metaItersPerPhase == null) {
            return (int) (newClasses * metaItersPerClass);
        }
        return (int) ((long) (epoch + 1) * metaItersPerPhase / epochs - (long) epoch * metaItersPerPhase / epochs);
    }

    private static double or(Double value, double fallback) {
        return value == null ? fallback : value;
    }
}
