package org.mnemos.results;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.UUID;

/** One number of a run in long form: the export's row. */
@JsonPropertyOrder({"experiment", "seed", "phase", "metric", "classifier", "value"})
@Schema(description = "One number of a run in long form")
public record ResultRow(
        UUID experiment,
        long seed,

        @Schema(description = "the phase index; null for the run-level figures")
        Integer phase,

        @Schema(
                description =
                        "accuracy, reported_accuracy, old_accuracy, new_accuracy, student_accuracy, task_accuracy[j]"
                                + " (on the classes of phase j), class_accuracy[label], backward_transfer, top5_accuracy, task_aware_accuracy"
                                + " (each test image among its own task's classes only), old_predicted_as_new, exemplar_count, memory_bytes"
                                + " (the exemplars' pixel bytes), model_bytes (the evaluated network's parameters and buffers at their data"
                                + " type), model_and_exemplar_bytes;"
                                + " run level: average_incremental_accuracy, last_accuracy, forgetting, pycil_forgetting, backward_transfer,"
                                + " reference_delta_points (a run of a preset compared with its reference card: percentage points)")
        String metric,

        @Schema(description = "cnn or nme for accuracies; null for counts and sizes")
        String classifier,

        Double value) {

    static final List<String> COLUMNS = List.of("experiment", "seed", "phase", "metric", "classifier", "value");

    List<Object> cells() {
        return java.util.Arrays.asList(experiment, seed, phase, metric, classifier, value);
    }
}
