package org.mnemos.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The evaluation figures of a phase against a fixture computed by hand. */
class EvaluationReportTest {

    // phase 1 of [4, 3] classes: incremental labels 0..3 are old, 4..6 new
    private static final int[] TRUTH = {0, 0, 1, 1, 2, 3, 4, 5, 6, 6};
    private static final int[] CNN = {0, 4, 1, 5, 2, 3, 4, 1, 6, 0};
    private static final boolean[] CNN_TOP5 = {true, true, false, true, true, true, true, false, true, true};
    private static final List<Integer> CLASS_ORDER = List.of(16, 3, 9, 0, 12, 5, 7, 1);

    @Test
    void confusionTopFiveAndOldPredictedAsNewEqualTheHandComputedFixture() {
        PhaseMetrics metrics = new Predictions(TRUTH, CNN, null, CNN_TOP5, null)
                .toMetrics(1, List.of(12, 5, 7), List.of(4, 3), CLASS_ORDER, false, 0, 0, 0, 0);
        EvaluationReport report = metrics.report(EvaluationReport.class);
        assertThat(report.classOrder()).containsExactly(16, 3, 9, 0, 12, 5, 7);
        assertThat(report.nme()).isNull();
        assertThat(report.cnn().top5Accuracy()).isEqualTo(0.8);
        // old images 0..5, of which two (1 -> 4, 3 -> 5) were given a new class
        assertThat(report.cnn().oldPredictedAsNew()).isEqualTo(2.0 / 6);
        assertThat(report.cnn().confusion()).isDeepEqualTo(new int[][] {
            {1, 0, 0, 0, 1, 0, 0},
            {0, 1, 0, 0, 0, 1, 0},
            {0, 0, 1, 0, 0, 0, 0},
            {0, 0, 0, 1, 0, 0, 0},
            {0, 0, 0, 0, 1, 0, 0},
            {0, 1, 0, 0, 0, 0, 0},
            {1, 0, 0, 0, 0, 0, 1}
        });
        // each row sums to its class's test images, the diagonal over all images is top-1
        int[] testImages = {2, 2, 1, 1, 1, 1, 2};
        for (int c = 0; c < 7; c++) {
            assertThat(Arrays.stream(report.cnn().confusion()[c]).sum()).isEqualTo(testImages[c]);
        }
        int diagonal = 0;
        for (int c = 0; c < 7; c++) {
            diagonal += report.cnn().confusion()[c][c];
        }
        assertThat((double) diagonal / TRUTH.length).isEqualTo(metrics.accuracy());
    }

    @Test
    void phaseZeroHasNoOldClassesAndFiveClassesOrFewerNoTopFive() {
        PhaseMetrics metrics = new Predictions(new int[] {0, 1, 1}, new int[] {0, 1, 0}, new int[] {0, 0, 1})
                .toMetrics(0, List.of(16, 3), List.of(2), CLASS_ORDER, true, 0, 0, 0, 0);
        EvaluationReport report = metrics.report(EvaluationReport.class);
        assertThat(report.cnn().top5Accuracy()).isNull();
        assertThat(report.cnn().oldPredictedAsNew()).isNull();
        assertThat(report.nme().confusion()).isDeepEqualTo(new int[][] {{1, 0}, {1, 1}});
        assertThat(report.cnn().confusion()).isDeepEqualTo(new int[][] {{1, 0}, {1, 1}});
    }
}
