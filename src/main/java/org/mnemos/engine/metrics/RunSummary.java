package org.mnemos.engine.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Over-the-run figures as the CIL literature defines them: average incremental accuracy is the mean
 * of the per-phase accuracies, phase 0 included; {@code forgetting} (Chaudhry et al. 2018) averages,
 * over the classes of every phase but the last, the drop from that phase's best earlier accuracy to
 * its final accuracy; {@code pycilForgetting} is PyCIL's definition, which papers built on PyCIL
 * report (see {@link #pycilForgetting}).
 */
public record RunSummary(
        double averageIncrementalAccuracy, double lastAccuracy, Double forgetting, Double pycilForgetting) {

    /** Summary of the phases run so far, in phase order. */
    public static RunSummary of(List<PhaseMetrics> phases) {
        return of(
                phases.stream().map(PhaseMetrics::accuracy).toList(),
                phases.stream().map(PhaseMetrics::accuracyRow).toList(),
                phases.stream().map(PhaseMetrics::classes).toList(),
                phases.stream().map(PhaseMetrics::perClassAccuracy).toList());
    }

    /**
     * @param phaseClasses each phase's classes (original labels), in phase order: together, the class order
     * @param perClassAccuracy each phase's accuracy per original label seen so far
     */
    public static RunSummary of(
            List<Double> accuracies,
            List<List<Double>> accuracyMatrix,
            List<List<Integer>> phaseClasses,
            List<Map<Integer, Double>> perClassAccuracy) {
        if (accuracies.isEmpty()) {
            throw new IllegalArgumentException("no phase to summarise");
        }
        double mean =
                accuracies.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = accuracies.get(accuracies.size() - 1);
        return new RunSummary(mean, last, forgetting(accuracyMatrix), pycilForgetting(phaseClasses, perClassAccuracy));
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

    /**
     * PyCIL's forgetting ({@code trainer.py} with {@code utils/toolkit.accuracy}): the classes, in class
     * order, fall into groups of the increment (the size of the phases after the first, so a large
     * first phase spans several groups); a group's accuracy in a phase is that of its classes (the
     * mean of their accuracies here, PyCIL's pooled count: equal on class-balanced test sets); a
     * group not seen yet counts 0. Forgetting averages, over the first T groups with T the number
     * of phases after the first, the group's best accuracy in any phase, the last included, minus its
     * last accuracy. Null with one phase.
     */
    static Double pycilForgetting(List<List<Integer>> phaseClasses, List<Map<Integer, Double>> perClassAccuracy) {
        int phases = phaseClasses.size();
        if (phases < 2) {
            return null;
        }
        List<Integer> order = new ArrayList<>();
        phaseClasses.forEach(order::addAll);
        int increment = phaseClasses.get(1).size();
        int tasks = phases - 1;
        double sum = 0;
        for (int group = 0; group < tasks; group++) {
            List<Integer> members = order.subList(group * increment, Math.min(order.size(), (group + 1) * increment));
            double best = 0;
            double last = 0;
            for (int phase = 0; phase < phases; phase++) {
                double accuracy = groupAccuracy(members, perClassAccuracy.get(phase));
                best = Math.max(best, accuracy);
                last = accuracy;
            }
            sum += best - last;
        }
        return sum / tasks;
    }

    private static double groupAccuracy(List<Integer> members, Map<Integer, Double> perClass) {
        double sum = 0;
        for (int label : members) {
            Double accuracy = perClass.get(label);
            if (accuracy == null) {
                return 0;
            }
            sum += accuracy;
        }
        return sum / members.size();
    }
}
