package org.mnemos.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunSummaryTest {

    @Test
    void averageIncrementalAccuracyIncludesPhaseZeroAndForgettingUsesTheBestEarlierAccuracy() {
        List<List<Double>> matrix = List.of(List.of(0.90), List.of(0.70, 0.95), List.of(0.60, 0.80, 0.85));
        List<List<Integer>> classes = List.of(List.of(7), List.of(3), List.of(5));
        List<Map<Integer, Double>> perClass =
                List.of(Map.of(7, 0.90), Map.of(7, 0.70, 3, 0.95), Map.of(7, 0.60, 3, 0.80, 5, 0.85));
        RunSummary summary = RunSummary.of(List.of(0.90, 0.82, 0.75), matrix, classes, perClass);
        assertThat(summary.averageIncrementalAccuracy()).isCloseTo((0.90 + 0.82 + 0.75) / 3, within(1e-12));
        assertThat(summary.lastAccuracy()).isEqualTo(0.75);
        // task 0: best 0.90 → 0.60; task 1: best 0.95 → 0.80
        assertThat(summary.forgetting()).isCloseTo(((0.90 - 0.60) + (0.95 - 0.80)) / 2, within(1e-12));
        assertThat(summary.pycilForgetting())
                .as("one class per group: the same here")
                .isCloseTo(summary.forgetting(), within(1e-12));
        assertThat(RunSummary.of(List.of(0.5), List.of(List.of(0.5)), List.of(List.of(1)), List.of(Map.of(1, 0.5)))
                        .forgetting())
                .isNull();
    }

    @Test
    void pycilForgettingGroupsClassesByTheIncrementAndAveragesTheFirstTGroupsOnly() {
        // B4 then 2 + 2 in the order 9, 8, 7, 6 | 5, 4 | 3, 2: PyCIL's groups of 2 are {9,8} {7,6} {5,4} {3,2};
        // with T = 2 incremental phases it averages groups {9,8} and {7,6}, and never looks at {5,4}
        List<List<Integer>> classes = List.of(List.of(9, 8, 7, 6), List.of(5, 4), List.of(3, 2));
        List<Map<Integer, Double>> perClass = List.of(
                Map.of(9, 1.0, 8, 0.8, 7, 0.6, 6, 0.6),
                Map.of(9, 0.6, 8, 0.6, 7, 0.7, 6, 0.7, 5, 0.9, 4, 0.9),
                Map.of(9, 0.5, 8, 0.3, 7, 0.8, 6, 0.8, 5, 0.1, 4, 0.1, 3, 1.0, 2, 1.0));
        // {9,8}: 0.9, 0.6, 0.4 → 0.5; {7,6}: 0.6, 0.7, 0.8 → best is the last (PyCIL's max includes it): 0
        assertThat(RunSummary.pycilForgetting(classes, perClass)).isCloseTo((0.5 + 0.0) / 2, within(1e-12));
        // Chaudhry's: per phase, best before the last: phase 0 (0.75, 0.65) → 0.6; phase 1 0.9 → 0.1
        List<List<Double>> matrix = List.of(List.of(0.75), List.of(0.65, 0.9), List.of(0.6, 0.1, 1.0));
        assertThat(RunSummary.forgetting(matrix)).isCloseTo(((0.75 - 0.6) + (0.9 - 0.1)) / 2, within(1e-12));
    }
}
