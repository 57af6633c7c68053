package org.mnemos.engine.metrics;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * @param mnemonics what mnemonics training of the exemplars did this phase; absent otherwise
 * @param aggregationWeights AANets' α per level after each epoch of the phase (outer list: epochs,
 *     inner: levels from shallow to deep); null without aggregation and in phase 0
 * @param trainableParameters elements of the parameters the phase's optimisers update (the main
 *     stage's and AANets' aggregation weights); null where not measured
 * @param totalParameters elements of every parameter of the network, BatchNorm statistics excluded;
 *     null where not measured
 * @param memory exemplars per class, stored bytes and compression of the memory; present with a
 *     byte budget or compression
 * @param inversion what the model inversion after the phase did (ABD, DeepInversion); absent otherwise
 * @param studentAccuracy top-1 over all seen classes of the network the next phase starts from, where
 *     that is not the evaluated one: FOSTER's compressed single-extractor student (the evaluated
 *     network is its two-extractor teacher, as in PyCIL); absent otherwise
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
        @JsonInclude(JsonInclude.Include.NON_NULL) MnemonicsMetrics mnemonics,
        List<List<Double>> aggregationWeights,
        Long trainableParameters,
        Long totalParameters,
        @JsonInclude(JsonInclude.Include.NON_NULL) MemoryMetrics memory,
        @JsonInclude(JsonInclude.Include.NON_NULL) InversionMetrics inversion,
        @JsonInclude(JsonInclude.Include.NON_NULL) Double studentAccuracy) {

    /** Metrics without a memory report (no byte budget, no compression) and without an inversion report. */
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
            double imagesPerSecond,
            MnemonicsMetrics mnemonics,
            List<List<Double>> aggregationWeights,
            Long trainableParameters,
            Long totalParameters) {
        this(phase, classes, classifier, accuracy, cnnAccuracy, nmeAccuracy, oldAccuracy, newAccuracy, accuracyRow,
                perClassAccuracy, exemplarCount, memoryBytes, trainMillis, imagesPerSecond, mnemonics, aggregationWeights,
                trainableParameters, totalParameters, null, null, null);
    }

    /** Metrics of a phase without mnemonics, aggregation weights and parameter counts. */
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
        this(phase, classes, classifier, accuracy, cnnAccuracy, nmeAccuracy, oldAccuracy, newAccuracy, accuracyRow,
                perClassAccuracy, exemplarCount, memoryBytes, trainMillis, imagesPerSecond, null, null, null, null, null, null, null);
    }

    public PhaseMetrics withMemory(MemoryMetrics report) {
        Copy copy = new Copy(this);
        copy.memory = report;
        return copy.build();
    }

    public PhaseMetrics withInversion(InversionMetrics report) {
        Copy copy = new Copy(this);
        copy.inversion = report;
        return copy.build();
    }

    public PhaseMetrics withMnemonics(MnemonicsMetrics report) {
        Copy copy = new Copy(this);
        copy.mnemonics = report;
        return copy.build();
    }

    public PhaseMetrics withAggregationWeights(List<List<Double>> weights) {
        Copy copy = new Copy(this);
        copy.aggregationWeights = weights;
        return copy.build();
    }

    public PhaseMetrics withParameterCounts(long trainable, long total) {
        Copy copy = new Copy(this);
        copy.trainableParameters = trainable;
        copy.totalParameters = total;
        return copy.build();
    }

    public PhaseMetrics withStudentAccuracy(Double accuracy) {
        Copy copy = new Copy(this);
        copy.studentAccuracy = accuracy;
        return copy.build();
    }

    /** The reports a phase adds after evaluation, over the evaluated figures, which never change. */
    private static final class Copy {
        private final PhaseMetrics base;
        private MnemonicsMetrics mnemonics;
        private List<List<Double>> aggregationWeights;
        private Long trainableParameters;
        private Long totalParameters;
        private MemoryMetrics memory;
        private InversionMetrics inversion;
        private Double studentAccuracy;

        private Copy(PhaseMetrics base) {
            this.base = base;
            mnemonics = base.mnemonics;
            aggregationWeights = base.aggregationWeights;
            trainableParameters = base.trainableParameters;
            totalParameters = base.totalParameters;
            memory = base.memory;
            inversion = base.inversion;
            studentAccuracy = base.studentAccuracy;
        }

        private PhaseMetrics build() {
            PhaseMetrics b = base;
            return new PhaseMetrics(b.phase, b.classes, b.classifier, b.accuracy, b.cnnAccuracy, b.nmeAccuracy,
                    b.oldAccuracy, b.newAccuracy, b.accuracyRow, b.perClassAccuracy, b.exemplarCount, b.memoryBytes,
                    b.trainMillis, b.imagesPerSecond, mnemonics, aggregationWeights, trainableParameters, totalParameters,
                    memory, inversion, studentAccuracy);
        }
    }
}
