package org.mnemos.engine.metrics;

/**
 * What the mnemonics stage of one phase did.
 *
 * @param mode {@code bilevel}, {@code firstOrder} or {@code code}
 * @param adjustedExemplars how many exemplars were optimised
 * @param steps exemplar updates (one per batch of real data)
 * @param seconds wall time of the stage
 * @param imagesPerSecond real images processed per second
 * @param meanAbsoluteChange mean |optimised − herding start| over the adjusted exemplars' values, in
 *     pixel levels (0-255), of the stage's result (also when {@code accepted} is false and the memory
 *     keeps the herding picks)
 * @param maxAbsoluteChange the largest such change of one value
 * @param outerLossBefore the outer loss on a fixed sample of the data the stage optimised on, before it
 * @param outerLossAfter the same after it
 * @param heldOutLossBefore the outer loss on the held-out data before the stage; null without a held-out share (code mode)
 * @param heldOutLossAfter the same after it
 * @param accepted whether the memory keeps the optimised exemplars: the held-out loss fell (always true without held-out data; null in reports written before it existed)
 * @param skippedSteps steps left out because their loss or gradient was not finite (0 normally)
 */
public record MnemonicsMetrics(
        String mode,
        int adjustedExemplars,
        long steps,
        double seconds,
        double imagesPerSecond,
        double meanAbsoluteChange,
        double maxAbsoluteChange,
        double outerLossBefore,
        double outerLossAfter,
        Double heldOutLossBefore,
        Double heldOutLossAfter,
        Boolean accepted,
        long skippedSteps)
        implements PartReport {

    public static final String NAME = "mnemonics";

    @Override
    public String reportName() {
        return NAME;
    }
}
