package org.mnemos.engine.metrics;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one phase reports, evaluated on the test split restricted to the classes seen so far.
 *
 * @param accuracy top-1 of the method's own classifier ({@code classifier}: "cnn", or "nme" for
 *     iCaRL-style methods) over all seen classes: the figure the run's summary is built from
 * @param cnnAccuracy top-1 of the network's output layer over all seen classes
 * @param nmeAccuracy nearest-mean-of-exemplars top-1; null where the method keeps no class means
 * @param oldAccuracy accuracy on classes of earlier phases (method's classifier); null in phase 0
 * @param newAccuracy accuracy on this phase's classes
 * @param accuracyRow accuracy on each phase's classes, phases 0..phase (a row of the accuracy matrix)
 * @param perClassAccuracy accuracy per original label
 * @param trainableParameters elements of the parameters the phase's optimisers update (the main
 *     stage's and AANets' aggregation weights); null where not measured
 * @param totalParameters elements of every parameter of the network, BatchNorm statistics excluded;
 *     null where not measured
 * @param reports what the run's parts measured this phase, by {@link PartReport#reportName()}, in
 *     the order the parts reported; empty where none did
 */
public record PhaseMetrics(
        int phase,
        List<Integer> classes,
        String classifier,
        double accuracy,
        double cnnAccuracy,
        Double nmeAccuracy,
        Double oldAccuracy,
        double newAccuracy,
        List<Double> accuracyRow,
        Map<Integer, Double> perClassAccuracy,
        int exemplarCount,
        long memoryBytes,
        long trainMillis,
        double imagesPerSecond,
        Long trainableParameters,
        Long totalParameters,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, PartReport> reports) {

    public PhaseMetrics {
        reports = reports == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(reports));
    }

    /** Metrics of a phase without parameter counts and reports. */
    public PhaseMetrics(
            int phase,
            List<Integer> classes,
            String classifier,
            double accuracy,
            double cnnAccuracy,
            Double nmeAccuracy,
            Double oldAccuracy,
            double newAccuracy,
            List<Double> accuracyRow,
            Map<Integer, Double> perClassAccuracy,
            int exemplarCount,
            long memoryBytes,
            long trainMillis,
            double imagesPerSecond) {
        this(
                phase,
                classes,
                classifier,
                accuracy,
                cnnAccuracy,
                nmeAccuracy,
                oldAccuracy,
                newAccuracy,
                accuracyRow,
                perClassAccuracy,
                exemplarCount,
                memoryBytes,
                trainMillis,
                imagesPerSecond,
                null,
                null,
                Map.of());
    }

    /** These metrics with {@code report} filed under its name (replacing one of the same name); null adds nothing. */
    public PhaseMetrics withReport(PartReport report) {
        if (report == null) {
            return this;
        }
        Map<String, PartReport> added = new LinkedHashMap<>(reports);
        added.put(report.reportName(), report);
        return new PhaseMetrics(
                phase,
                classes,
                classifier,
                accuracy,
                cnnAccuracy,
                nmeAccuracy,
                oldAccuracy,
                newAccuracy,
                accuracyRow,
                perClassAccuracy,
                exemplarCount,
                memoryBytes,
                trainMillis,
                imagesPerSecond,
                trainableParameters,
                totalParameters,
                added);
    }

    /** The report of type {@code type}, or null where no part filed one. */
    public <T extends PartReport> T report(Class<T> type) {
        return reports.values().stream()
                .filter(type::isInstance)
                .map(type::cast)
                .findFirst()
                .orElse(null);
    }

    public PhaseMetrics withParameterCounts(long trainable, long total) {
        return new PhaseMetrics(
                phase,
                classes,
                classifier,
                accuracy,
                cnnAccuracy,
                nmeAccuracy,
                oldAccuracy,
                newAccuracy,
                accuracyRow,
                perClassAccuracy,
                exemplarCount,
                memoryBytes,
                trainMillis,
                imagesPerSecond,
                trainable,
                total,
                reports);
    }
}
