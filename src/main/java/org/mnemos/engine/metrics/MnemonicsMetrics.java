package org.mnemos.engine.metrics;

/**
 * What the mnemonics stage of one phase did.
 *
 * @param mode {@code bilevel} or {@code firstOrder}
 * @param adjustedExemplars how many exemplars were optimised
 * @param steps exemplar updates (one per batch of real data)
 * @param seconds wall time of the stage
 * @param imagesPerSecond real images processed per second
 * @param meanAbsoluteChange mean |optimised − herding start| over the adjusted exemplars' values, in
 *     pixel levels (0-255)
 * @param outerLossBefore the outer loss on a fixed sample of the phase's real data before the stage
 * @param outerLossAfter the same after it
 * @param skippedSteps steps left out because their loss or gradient was not finite (0 normally)
 */
public record MnemonicsMetrics(
        String mode,
        int adjustedExemplars,
        long steps,
        double seconds,
        double imagesPerSecond,
        double meanAbsoluteChange,
        double outerLossBefore,
        double outerLossAfter,
        long skippedSteps) implements PartReport {

    public static final String NAME = "mnemonics";

    @Override
    public String reportName() {
        return NAME;
    }
}
