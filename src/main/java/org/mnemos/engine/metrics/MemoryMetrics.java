package org.mnemos.engine.metrics;

/**
 * What the exemplar memory holds after a phase, reported with a byte budget or compression.
 *
 * @param compression {@code none}, {@code cam} or {@code cim}
 * @param exemplarsPerClass exemplars stored per seen class (mean)
 * @param storedBytes everything stored: pixel arrays, labels and boxes
 * @param meanCompressionRate mean cost of an exemplar in full-image units ({@code box + (1 − box)/r}; 1 for full images)
 * @param meanBoxFraction mean share of the image inside the kept box (1 for full images)
 * @param cim unused since the phase view's deprecated {@code memory} field is gone (CIM files its own
 *     report, {@code cim}); always null, to be dropped with the memory part's constructor call
 */
public record MemoryMetrics(
        String compression,
        double exemplarsPerClass,
        long storedBytes,
        double meanCompressionRate,
        double meanBoxFraction,

        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        CimMetrics cim)
        implements PartReport {

    public static final String NAME = "memory";

    @Override
    public String reportName() {
        return NAME;
    }
}
