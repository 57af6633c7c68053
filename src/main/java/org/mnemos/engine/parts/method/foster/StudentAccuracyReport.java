package org.mnemos.engine.parts.method.foster;

import org.mnemos.engine.metrics.PartReport;

/**
 * FOSTER's compressed student, evaluated beside the two-extractor teacher the phase's figures are
 * about (as in PyCIL).
 *
 * @param accuracy top-1 over all seen classes of the single-extractor student the next phase starts from
 */
public record StudentAccuracyReport(double accuracy) implements PartReport {

    public static final String NAME = "student";

    @Override
    public String reportName() {
        return NAME;
    }
}
