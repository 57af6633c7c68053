package org.mnemos.results;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metrics derived from what a run stores per phase: the accuracy matrix (each phase's accuracy on the
 * classes of every phase so far) and the accuracy per class.
 */
public final class RunMetrics {

    private RunMetrics() {}

    /**
     * Backward transfer as Lopez-Paz & Ranzato (2017, GEM) define it: with R[i][j] the accuracy on the
     * classes of phase j after phase i and T phases, BWT = 1/(T-1) Σ_{j<T-1} (R[T-1][j] - R[j][j]):
     * negative when learning later phases lowered the accuracy on earlier ones. Over the first
     * {@code rows.size()} phases; null with fewer than two.
     */
    public static Double backwardTransfer(List<List<Double>> rows) {
        int phases = rows.size();
        if (phases < 2) {
            return null;
        }
        List<Double> last = rows.get(phases - 1);
        double sum = 0;
        for (int j = 0; j < phases - 1; j++) {
            sum += last.get(j) - rows.get(j).get(j);
        }
        return sum / (phases - 1);
    }

    /**
     * PyCIL's grouped accuracy of one phase ({@code utils/toolkit.accuracy}): the classes, by their
     * position in the class order, fall into groups of {@code increment} starting at 0, keyed
     * {@code "00-09"}; a group's accuracy is that of its classes seen so far (the mean of their
     * accuracies here, PyCIL's pooled count: equal on class-balanced test sets). Groups with no seen
     * class are absent.
     *
     * @param classOrder the original labels in class order
     * @param perClass this phase's accuracy per original label seen so far
     */
    public static Map<String, Double> groupedAccuracy(
            List<Integer> classOrder, int increment, Map<Integer, Double> perClass) {
        Map<String, Double> grouped = new LinkedHashMap<>();
        for (int start = 0; start < classOrder.size(); start += increment) {
            List<Double> seen = new ArrayList<>();
            for (int position = start; position < Math.min(classOrder.size(), start + increment); position++) {
                Double accuracy = perClass.get(classOrder.get(position));
                if (accuracy != null) {
                    seen.add(accuracy);
                }
            }
            if (!seen.isEmpty()) {
                grouped.put(
                        groupKey(start, increment),
                        seen.stream().mapToDouble(Double::doubleValue).average().orElseThrow());
            }
        }
        return grouped;
    }

    /** PyCIL's label-range key, {@code "{:02d}-{:02d}"}. */
    public static String groupKey(int start, int increment) {
        return String.format("%02d-%02d", start, start + increment - 1);
    }
}
