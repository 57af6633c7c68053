package org.mnemos.engine;

import java.util.List;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.parts.method.foster.StudentAccuracyReport;

/**
 * Phase metrics without what differs between two runs of the same spec: wall-clock time and
 * throughput, and the method reports that carry seconds.
 */
final class MetricsWithoutTimings {

    private MetricsWithoutTimings() {}

    static List<PhaseMetrics> of(List<PhaseMetrics> metrics) {
        return metrics.stream()
                .map(m -> new PhaseMetrics(
                                m.phase(),
                                m.classes(),
                                m.classifier(),
                                m.accuracy(),
                                m.cnnAccuracy(),
                                m.nmeAccuracy(),
                                m.oldAccuracy(),
                                m.newAccuracy(),
                                m.accuracyRow(),
                                m.perClassAccuracy(),
                                m.exemplarCount(),
                                m.memoryBytes(),
                                0,
                                0)
                        .withReport(m.report(StudentAccuracyReport.class)))
                .toList();
    }
}
