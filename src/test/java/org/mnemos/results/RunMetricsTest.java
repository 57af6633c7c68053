package org.mnemos.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The derived metrics against fixtures computed by hand. */
class RunMetricsTest {

    @Test
    void backwardTransferAveragesTheFinalMinusTheJustLearnedAccuracyOfEveryEarlierPhase() {
        List<List<Double>> matrix = List.of(List.of(0.90), List.of(0.70, 0.80), List.of(0.60, 0.50, 0.95));
        // ((0.60 - 0.90) + (0.50 - 0.80)) / 2 = -0.30
        assertThat(RunMetrics.backwardTransfer(matrix)).isCloseTo(-0.30, offset(1e-15));
        // after two phases: (0.70 - 0.90) / 1
        assertThat(RunMetrics.backwardTransfer(matrix.subList(0, 2))).isCloseTo(-0.20, offset(1e-15));
        assertThat(RunMetrics.backwardTransfer(matrix.subList(0, 1))).isNull();
        // a later phase that helps earlier ones gives a positive transfer
        assertThat(RunMetrics.backwardTransfer(List.of(List.of(0.5), List.of(0.75, 0.9))))
                .isCloseTo(0.25, offset(1e-15));
    }

    @Test
    void groupedAccuracyFollowsPycilsLabelRangesOverTheClassOrder() {
        // class order 7, 3, 5, 1, 0 with an increment of 2: groups {7, 3}, {5, 1}, {0}
        List<Integer> order = List.of(7, 3, 5, 1, 0);
        Map<Integer, Double> phase = Map.of(7, 0.5, 3, 1.0, 5, 0.25);
        Map<String, Double> grouped = RunMetrics.groupedAccuracy(order, 2, phase);
        assertThat(grouped).containsOnlyKeys("00-01", "02-03");
        assertThat(grouped.get("00-01")).isCloseTo(0.75, offset(1e-15));
        // only class 5 of the second group is seen yet
        assertThat(grouped.get("02-03")).isCloseTo(0.25, offset(1e-15));
        assertThat(RunMetrics.groupKey(40, 10)).isEqualTo("40-49");
    }
}
