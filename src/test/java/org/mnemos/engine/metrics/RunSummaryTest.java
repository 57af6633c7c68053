package org.mnemos.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class RunSummaryTest {

    @Test
    void averageIncrementalAccuracyIncludesPhaseZeroAndForgettingUsesTheBestEarlierAccuracy() {
        List<List<Double>> matrix = List.of(
                List.of(0.90),
                List.of(0.70, 0.95),
                List.of(0.60, 0.80, 0.85));
        RunSummary summary = RunSummary.of(List.of(0.90, 0.82, 0.75), matrix);
        assertThat(summary.averageIncrementalAccuracy()).isCloseTo((0.90 + 0.82 + 0.75) / 3, within(1e-12));
        assertThat(summary.lastAccuracy()).isEqualTo(0.75);
        // task 0: best 0.90 → 0.60; task 1: best 0.95 → 0.80
        assertThat(summary.forgetting()).isCloseTo(((0.90 - 0.60) + (0.95 - 0.80)) / 2, within(1e-12));
        assertThat(RunSummary.of(List.of(0.5), List.of(List.of(0.5))).forgetting()).isNull();
    }
}
