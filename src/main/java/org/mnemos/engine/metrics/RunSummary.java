package org.mnemos.engine.metrics;

import java.util.List;

/**
 * Over-the-run figures as the CIL literature defines them: average incremental accuracy is the mean
 * of the per-phase accuracies, phase 0 included; forgetting averages, over the classes of every
 * phase but the last, the drop from that phase's best accuracy to its final accuracy.
 */
public record RunSummary(double averageIncrementalAccuracy, double lastAccuracy, Double forgetting) {

    /** Summary of the phases run so far, in phase order. */
    public static RunSummary of(List<PhaseMetrics> phases) {
        return of(
                phases.stream().map(PhaseMetrics::accuracy).toList(),
                phases.stream().map(PhaseMetrics::accuracyRow).toList());
    }

    public static RunSummary of(List<Double> accuracies, List<List<Double>> accuracyMatrix) {
        if (accuracies.isEmpty()) {
            throw new IllegalArgumentException("no phase to summarise");
        }
        double mean = accuracies.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = accuracies.get(accuracies.size() - 1);
        return new RunSummary(mean, last, forgetting(accuracyMatrix));
    }

    /** Average forgetting (Chaudhry et al. 2018) over the rows of an accuracy matrix; null with one phase. */
    static Double forgetting(List<List<Double>> matrix) {
        int phases = matrix.size();
        if (phases < 2) {
            return null;
        }
        List<Double> finalRow = matrix.get(phases - 1);
        double sum = 0;
        for (int task = 0; task < phases - 1; task++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int row = task; row < phases - 1; row++) {
                best = Math.max(best, matrix.get(row).get(task));
            }
            sum += best - finalRow.get(task);
        }
        return sum / (phases - 1);
    }
}
