package org.mnemos.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Task-aware accuracy: each test image classified among the classes of its own task only, against a fixture computed by hand. */
class TaskAwareAccuracyTest {

    // phase 1 of [2, 2] classes: task 0 holds incremental labels 0 and 1, task 1 holds 2 and 3
    private static final int[] TRUTH = {0, 1, 2, 3, 0};
    private static final float[] LOGITS = {
        0.1f, 0.3f, 0.9f, 0.0f, // class-incremental 2 (wrong); within task 0: 1 (wrong)
        0.2f, 0.5f, 0.8f, 0.1f, // class-incremental 2 (wrong); within task 0: 1 (right)
        0.9f, 0.0f, 0.4f, 0.3f, // class-incremental 0 (wrong); within task 1: 2 (right)
        0.0f, 0.0f, 0.2f, 0.6f, // class-incremental 3 (right); within task 1: 3 (right)
        0.5f, 0.5f, 0.0f, 0.0f
    }; // a tie within task 0: the first class, as argmax takes it (right)
    private static final int[] CLASS_INCREMENTAL = {2, 2, 0, 3, 0};

    @Test
    void eachRowIsClassifiedAmongItsOwnTasksClasses() {
        int[] starts = Predictions.taskStarts(List.of(2, 2));
        assertThat(starts).containsExactly(0, 2);
        assertThat(Predictions.taskAware(LOGITS, 4, TRUTH, 0, starts)).containsExactly(1, 1, 2, 3, 0);
        // rows 3.. of the test set: the truth is read at the row's offset
        float[] lastTwo = java.util.Arrays.copyOfRange(LOGITS, 12, 20);
        assertThat(Predictions.taskAware(lastTwo, 4, TRUTH, 3, starts)).containsExactly(3, 0);
    }

    @Test
    void theReportsTaskAwareAccuracyIsTheShareOfRightTaskAwarePredictions() {
        int[] starts = Predictions.taskStarts(List.of(2, 2));
        int[] cnnTaskAware = Predictions.taskAware(LOGITS, 4, TRUTH, 0, starts);
        // nearest mean: wrong on the first two rows within their task, right on the rest
        int[] nmeTaskAware = {1, 0, 2, 3, 0};
        PhaseMetrics metrics = new Predictions(
                        TRUTH, CLASS_INCREMENTAL, new int[] {1, 0, 2, 3, 1}, null, null, cnnTaskAware, nmeTaskAware)
                .toMetrics(1, List.of(7, 8), List.of(2, 2), List.of(5, 6, 7, 8), true, 0, 0, 0, 0);
        EvaluationReport report = metrics.report(EvaluationReport.class);
        assertThat(metrics.cnnAccuracy()).isEqualTo(2.0 / 5);
        assertThat(report.cnn().taskAwareAccuracy()).isEqualTo(4.0 / 5);
        assertThat(report.nme().taskAwareAccuracy()).isEqualTo(3.0 / 5);
        assertThat(metrics.nmeAccuracy()).isEqualTo(2.0 / 5);
    }

    @Test
    void inPhaseZeroTaskAwareIsTopOneAndWithoutTaskAwarePredictionsItIsAbsent() {
        int[] truth = {0, 1, 1};
        float[] logits = {0.2f, 0.1f, 0.3f, 0.4f, 0.9f, 0.1f};
        int[] taskAware = Predictions.taskAware(logits, 2, truth, 0, Predictions.taskStarts(List.of(2)));
        PhaseMetrics metrics = new Predictions(truth, new int[] {0, 1, 0}, null, null, null, taskAware, null)
                .toMetrics(0, List.of(5, 6), List.of(2), List.of(5, 6), false, 0, 0, 0, 0);
        assertThat(metrics.report(EvaluationReport.class).cnn().taskAwareAccuracy())
                .isEqualTo(metrics.cnnAccuracy());
        PhaseMetrics without = new Predictions(truth, new int[] {0, 1, 0}, null)
                .toMetrics(0, List.of(5, 6), List.of(2), List.of(5, 6), false, 0, 0, 0, 0);
        assertThat(without.report(EvaluationReport.class).cnn().taskAwareAccuracy())
                .isNull();
    }
}
