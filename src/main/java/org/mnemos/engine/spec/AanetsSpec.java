package org.mnemos.engine.spec;

/**
 * Adaptive Aggregation Networks (Liu, Schiele, Sun, CVPR 2021): a stable and a plastic branch at
 * every level of the backbone, mixed by one learned weight per level. Null fields take the defaults.
 *
 * @param stableBranch branch type of the stable branch: {@code ss} (default), {@code free} or {@code fixed}
 * @param plasticBranch branch type of the plastic branch: {@code free} (default), {@code ss} or {@code fixed}
 * @param fusionLr learning rate of the aggregation weights; null (default) derives it per phase so
 *     that the phase's update budget equals the official code's ({@link #CODE_UPDATE_BUDGET}); 0
 *     keeps every weight at 0.5 (the code's {@code --fusion_lr=0.0} control)
 * @param accumulateFusionGradients true never zeroes the aggregation weights' gradients, as the
 *     official LUCIR trainer does (its gradients then also sum every backward pass of the main
 *     training, and carry over from phase to phase); false zeroes them before every step, as the
 *     official iCaRL trainer does. Null (default): as the run's method's official trainer (the AANets part knows which)
 */
public record AanetsSpec(
        String name, String stableBranch, String plasticBranch, Double fusionLr, Boolean accumulateFusionGradients)
        implements AggregationSpec {

    public static final String NAME = "aanets";
    public static final String DEFAULT_STABLE_BRANCH = "ss";
    public static final String DEFAULT_PLASTIC_BRANCH = "free";

    /**
     * Σ over a phase's α steps of (learning rate × backward passes summed into that step) in the
     * official LUCIR code (yaoyao-liu/class-incremental-learning@6a92ab0, adaptive-aggregation-networks)
     * at its first incremental phase on CIFAR-100 B50: {@code --fusion_lr} 1e-8, 160 epochs, 55 main
     * and 22 α batches per epoch, gradients never zeroed, ×0.1 at epochs 80 and 120 (its scheduler
     * stepped before each epoch, so from 79 and 119). The derived learning rate gives a phase the
     * same budget whatever its length.
     */
    public static final double CODE_UPDATE_BUDGET = 0.06105;

    /**
     * This spec with every null option replaced by its default; {@code accumulateByDefault}: whether
     * the run's method's official trainer accumulates the aggregation weights' gradients.
     */
    public AanetsSpec resolved(boolean accumulateByDefault) {
        return new AanetsSpec(
                NAME,
                stableBranch == null ? DEFAULT_STABLE_BRANCH : stableBranch,
                plasticBranch == null ? DEFAULT_PLASTIC_BRANCH : plasticBranch,
                fusionLr,
                accumulateFusionGradients == null ? accumulateByDefault : accumulateFusionGradients);
    }
}
