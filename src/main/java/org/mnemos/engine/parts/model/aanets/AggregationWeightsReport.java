package org.mnemos.engine.parts.model.aanets;

import java.util.List;
import org.mnemos.engine.metrics.PartReport;

/**
 * AANets' aggregation weights over a phase, and the update budget they had.
 *
 * @param weights α per level after each epoch of the phase (outer list: epochs, inner: levels from
 *     shallow to deep)
 * @param fusionLr the learning rate the weights were learned at (before the main schedule's decay):
 *     the spec's, or the one derived from the official code's update budget
 * @param steps optimizer steps the weights took in the phase (0 at {@code fusionLr} 0)
 * @param accumulated whether each step applied every gradient since the first incremental phase
 *     (the official LUCIR trainer's behaviour) rather than the last batch's
 */
public record AggregationWeightsReport(List<List<Double>> weights, Double fusionLr, Long steps, Boolean accumulated)
        implements PartReport {

    public static final String NAME = "aggregation";

    /** A report of the weights alone. */
    public AggregationWeightsReport(List<List<Double>> weights) {
        this(weights, null, null, null);
    }

    @Override
    public String reportName() {
        return NAME;
    }
}
