package org.mnemos.engine.metrics;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * What one part of a run measured in a phase (a memory's contents, an optimisation stage, a second
 * network's accuracy): a record serialised as it is, filed in {@link PhaseMetrics#reports()} under
 * {@link #reportName()}.
 */
public interface PartReport {

    /** The key of this report in the phase's reports: one per kind of report. */
    @JsonIgnore
    String reportName();
}
