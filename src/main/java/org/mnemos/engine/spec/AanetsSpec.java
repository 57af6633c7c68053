package org.mnemos.engine.spec;

/**
 * Adaptive Aggregation Networks (Liu, Schiele, Sun, CVPR 2021): a stable and a plastic branch at
 * every level of the backbone, mixed by one learned weight per level. Null fields take the defaults.
 *
 * @param stableBranch branch type of the stable branch: {@code ss} (default), {@code free} or {@code fixed}
 * @param plasticBranch branch type of the plastic branch: {@code free} (default), {@code ss} or {@code fixed}
 * @param fusionLr learning rate of the aggregation weights (default 1e-5, as in the README's commands)
 * @param accumulateFusionGradients true keeps the original code's behaviour of never zeroing the
 *     aggregation weights' gradients within a phase; false (default) zeroes them every step
 */
public record AanetsSpec(
        String name, String stableBranch, String plasticBranch, Double fusionLr, Boolean accumulateFusionGradients)
        implements AggregationSpec {

    public static final String NAME = "aanets";
    public static final String DEFAULT_STABLE_BRANCH = "ss";
    public static final String DEFAULT_PLASTIC_BRANCH = "free";
    public static final double DEFAULT_FUSION_LR = 1e-5;

    /** The defaults: ss + free, fusion lr 1e-5, gradients zeroed every step. */
    public static AanetsSpec defaults() {
        return new AanetsSpec(NAME, DEFAULT_STABLE_BRANCH, DEFAULT_PLASTIC_BRANCH, DEFAULT_FUSION_LR, false);
    }

    /** This spec with every null option replaced by its default. */
    public AanetsSpec resolved() {
        return new AanetsSpec(
                NAME,
                stableBranch == null ? DEFAULT_STABLE_BRANCH : stableBranch,
                plasticBranch == null ? DEFAULT_PLASTIC_BRANCH : plasticBranch,
                fusionLr == null ? DEFAULT_FUSION_LR : fusionLr,
                accumulateFusionGradients != null && accumulateFusionGradients);
    }
}
