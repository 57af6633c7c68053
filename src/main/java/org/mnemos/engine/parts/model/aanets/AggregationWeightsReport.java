package org.mnemos.engine.parts.model.aanets;

import java.util.List;
import org.mnemos.engine.metrics.PartReport;

/**
 * AANets' aggregation weights over a phase.
 *
 * @param weights α per level after each epoch of the phase (outer list: epochs, inner: levels from
 *     shallow to deep)
 */
public record AggregationWeightsReport(List<List<Double>> weights) implements PartReport {

    public static final String NAME = "aggregation";

    @Override
    public String reportName() {
        return NAME;
    }
}
