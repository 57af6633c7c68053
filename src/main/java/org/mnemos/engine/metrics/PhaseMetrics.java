package org.mnemos.engine.metrics;

import java.util.List;
import java.util.Map;

/**
 * What one phase reports, evaluated on the test split restricted to the classes seen so far.
 *
 * @param cnnAccuracy top-1 of the network's own classifier over all seen classes
 * @param nmeAccuracy nearest-mean-of-exemplars top-1, null where the method keeps no class means
 * @param oldAccuracy accuracy (of the method's reported classifier) on classes of earlier phases; null in phase 0
 * @param newAccuracy accuracy on this phase's classes
 * @param accuracyRow accuracy on each phase's classes, phases 0..phase (a row of the accuracy matrix)
 * @param perClassAccuracy accuracy per original label
 */
public record PhaseMetrics(
        int phase,
        List<Integer> classes,
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

    /** The accuracy a method is judged by: NME where it has class means (iCaRL), else CNN. */
    public double reportedAccuracy(boolean preferNme) {
        return preferNme && nmeAccuracy != null ? nmeAccuracy : cnnAccuracy;
    }
}
