package org.mnemos.engine.metrics;

/**
 * What the model inversion after a phase did (ABD, DeepInversion): the generator's training steps
 * and their wall time, and the inversion loss's terms averaged over the first and the last 10% of
 * the steps (content, class balance, BatchNorm statistics, smoothness, each already weighted).
 *
 * @param replaySeconds wall time spent drawing dreams for replay during this phase's training
 * @param preconditions what the inversion achieved (the inverted network's accuracy, its dreams' class
 *     coverage, the BatchNorm term's fall); null in a phase that did not invert
 */
public record InversionMetrics(
        int iterations,
        int batchSize,
        double seconds,
        double replaySeconds,
        double[] firstLoss,
        double[] lastLoss,
        InversionPreconditions preconditions)
        implements PartReport {

    public static final String NAME = "inversion";

    @Override
    public String reportName() {
        return NAME;
    }
}
