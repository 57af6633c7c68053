package org.mnemos.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Mean, sample standard deviation and paired differences with Student-t intervals over the
 * finished members of a group's arms.
 */
final class GroupStatistics {

    /** The two-sided confidence of the paired-difference intervals. */
    static final double CONFIDENCE = 0.95;

    private GroupStatistics() {}

    /** Mean, sample standard deviation (n - 1; null below two values) and count of the non-null values. */
    static GroupViews.Stat describe(List<Double> values) {
        List<Double> present = values.stream().filter(v -> v != null).toList();
        int n = present.size();
        if (n == 0) {
            return new GroupViews.Stat(null, null, 0);
        }
        double mean = mean(present);
        return new GroupViews.Stat(mean, n < 2 ? null : sampleStd(present, mean), n);
    }

    /**
     * The differences {@code arm - baseline} over the seeds both have a value for (a null value is
     * missing), in the order of {@code armSeeds}: their mean, sample standard deviation and the 95 %
     * interval mean ± t(0.975, n - 1) · std / √n (null below two pairs).
     */
    static GroupViews.Difference pairedDifference(
            List<Long> armSeeds, List<Double> armValues, List<Long> baselineSeeds, List<Double> baselineValues) {
        Map<Long, Double> baselineBySeed = new HashMap<>();
        for (int i = 0; i < baselineSeeds.size(); i++) {
            baselineBySeed.put(baselineSeeds.get(i), baselineValues.get(i));
        }
        List<Long> seeds = new ArrayList<>();
        List<Double> differences = new ArrayList<>();
        for (int i = 0; i < armSeeds.size(); i++) {
            Double value = armValues.get(i);
            Double other = baselineBySeed.get(armSeeds.get(i));
            if (value != null && other != null) {
                seeds.add(armSeeds.get(i));
                differences.add(value - other);
            }
        }
        int n = differences.size();
        if (n == 0) {
            return new GroupViews.Difference(null, null, 0, null, null, seeds);
        }
        double mean = mean(differences);
        if (n < 2) {
            return new GroupViews.Difference(mean, null, 1, null, null, seeds);
        }
        double std = sampleStd(differences, mean);
        double halfWidth = StudentT.quantile(1 - (1 - CONFIDENCE) / 2, n - 1) * std / Math.sqrt(n);
        return new GroupViews.Difference(mean, std, n, mean - halfWidth, mean + halfWidth, seeds);
    }

    private static double mean(List<Double> values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.size();
    }

    private static double sampleStd(List<Double> values, double mean) {
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        return Math.sqrt(squares / (values.size() - 1));
    }
}
