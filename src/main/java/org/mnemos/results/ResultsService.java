package org.mnemos.results;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.mnemos.engine.metrics.EvaluationReport;
import org.mnemos.engine.metrics.FootprintReport;
import org.mnemos.engine.metrics.RunSummary;
import org.mnemos.experiment.ExperimentService;
import org.mnemos.experiment.ExperimentViews;
import org.mnemos.experiment.PhaseStatus;
import org.mnemos.web.ApiException;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/** A run's stored figures as exports: the long form and the accuracy matrix in two orientations. */
@Service
public class ResultsService {

    /** The classifiers a phase is evaluated with: the network's output layer and nearest mean of exemplars. */
    public static final List<String> CLASSIFIERS = List.of("cnn", "nme");

    private final ExperimentService experiments;

    public ResultsService(ExperimentService experiments) {
        this.experiments = experiments;
    }

    /** Every number of the run's completed phases and of its summary, in long form. */
    public List<ResultRow> rows(UUID id) {
        ExperimentViews.Experiment experiment = experiments.get(id);
        List<ExperimentViews.PhaseView> phases = completed(experiments.phases(id));
        List<ResultRow> rows = new ArrayList<>();
        List<List<Double>> matrix = new ArrayList<>();
        for (ExperimentViews.PhaseView phase : phases) {
            Row row = new Row(rows, id, experiment.seed(), phase.index());
            ExperimentViews.Accuracy accuracy = phase.accuracy();
            String classifier = accuracy.classifier();
            row.add("accuracy", "cnn", accuracy.cnn());
            row.add("accuracy", "nme", accuracy.nme());
            row.add("reported_accuracy", classifier, accuracy.reported());
            row.add("old_accuracy", classifier, accuracy.old());
            row.add("new_accuracy", classifier, accuracy.newClasses());
            row.add("student_accuracy", "cnn", number(report(phase, "student").path("accuracy")));
            List<Double> accuracyRow = phase.accuracyRow();
            if (accuracyRow != null) {
                for (int task = 0; task < accuracyRow.size(); task++) {
                    row.add("task_accuracy[" + task + "]", classifier, accuracyRow.get(task));
                }
                // the matrix holds consecutive phases from 0 only: backward transfer needs them all
                if (matrix.size() == phase.index()) {
                    matrix.add(accuracyRow);
                    row.add("backward_transfer", classifier, RunMetrics.backwardTransfer(matrix));
                }
            }
            if (phase.perClassAccuracy() != null) {
                phase.perClassAccuracy().entrySet().stream()
                        .sorted(Comparator.comparing(e -> Integer.parseInt(e.getKey())))
                        .forEach(e -> row.add("class_accuracy[" + e.getKey() + "]", classifier, e.getValue()));
            }
            for (String evaluated : CLASSIFIERS) {
                JsonNode figures = report(phase, EvaluationReport.NAME).path(evaluated);
                row.add("top5_accuracy", evaluated, number(figures.path("top5Accuracy")));
                row.add("task_aware_accuracy", evaluated, number(figures.path("taskAwareAccuracy")));
                row.add("old_predicted_as_new", evaluated, number(figures.path("oldPredictedAsNew")));
            }
            row.add(
                    "exemplar_count",
                    null,
                    phase.exemplarCount() == null ? null : phase.exemplarCount().doubleValue());
            row.add(
                    "memory_bytes",
                    null,
                    phase.memoryBytes() == null ? null : phase.memoryBytes().doubleValue());
            JsonNode footprint = phase.reports() == null
                    ? MissingNode.getInstance()
                    : phase.reports().path(FootprintReport.NAME);
            row.add("model_bytes", null, number(footprint.path("modelBytes")));
            row.add("model_and_exemplar_bytes", null, number(footprint.path("totalBytes")));
        }
        RunSummary summary = experiment.summary();
        if (summary != null) {
            String classifier = phases.isEmpty()
                    ? null
                    : phases.get(phases.size() - 1).accuracy().classifier();
            Row run = new Row(rows, id, experiment.seed(), null);
            run.add("average_incremental_accuracy", classifier, summary.averageIncrementalAccuracy());
            run.add("last_accuracy", classifier, summary.lastAccuracy());
            run.add("forgetting", classifier, summary.forgetting());
            run.add("pycil_forgetting", classifier, summary.pycilForgetting());
            run.add(
                    "backward_transfer",
                    classifier,
                    matrix.size() == phases.size() ? RunMetrics.backwardTransfer(matrix) : null);
            ExperimentViews.Reference reference = experiment.reference();
            if (reference != null) {
                // in percentage points, as the card's figure is printed
                run.add("reference_delta_points", reference.card().classifier().field(), reference.referenceDelta());
            }
        }
        return rows;
    }

    private static JsonNode report(ExperimentViews.PhaseView phase, String name) {
        return phase.reports() == null
                ? MissingNode.getInstance()
                : phase.reports().path(name);
    }

    private static Double number(JsonNode node) {
        return node.isNumber() ? node.asDouble() : null;
    }

    /**
     * A completed phase's confusion matrix for one classifier: a row per true class and a column per
     * predicted class, both the seen classes' original labels in class order, cells counting test
     * images. Not found where the phase has not completed, the run has no such phase or classifier,
     * or the phase was evaluated before confusion matrices were stored.
     */
    public Table confusion(UUID id, int index, String classifier) {
        ExperimentViews.PhaseView phase = completed(experiments.phases(id)).stream()
                .filter(p -> p.index() == index)
                .findFirst()
                .orElseThrow(() -> ApiException.notFound("A completed phase " + index + " of experiment " + id));
        JsonNode matrix = report(phase, EvaluationReport.NAME).path(classifier).path("confusion");
        if (!matrix.isArray()) {
            throw ApiException.notFound(
                    "The " + classifier + " confusion matrix of phase " + index + " of experiment " + id);
        }
        List<String> header = new ArrayList<>(List.of("true_class"));
        List<Integer> order = new ArrayList<>();
        report(phase, EvaluationReport.NAME).path("classOrder").forEach(label -> order.add(label.asInt()));
        order.forEach(label -> header.add(String.valueOf(label)));
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < matrix.size(); i++) {
            List<Object> row = new ArrayList<>();
            row.add(order.get(i));
            matrix.get(i).forEach(count -> row.add(count.asInt()));
            rows.add(row);
        }
        return new Table(header, rows);
    }

    /** Adds the non-null figures of one phase (or, with a null phase, of the run). */
    private record Row(List<ResultRow> rows, UUID experiment, long seed, Integer phase) {
        void add(String metric, String classifier, Double value) {
            if (value != null) {
                rows.add(new ResultRow(experiment, seed, phase, metric, classifier, value));
            }
        }
    }

    /** A table: its header and rows. */
    public record Table(List<String> header, List<List<Object>> rows) {}

    /**
     * The accuracy matrix with a row per completed phase and a column per phase of the plan: the
     * accuracy on that phase's classes after the row's phase (empty for phases not learned yet).
     */
    public Table matrixByPhase(UUID id) {
        ExperimentViews.Experiment experiment = experiments.get(id);
        List<String> header = new ArrayList<>(List.of("phase"));
        for (int task = 0; task < experiment.phaseCount(); task++) {
            header.add("task_" + task);
        }
        List<List<Object>> rows = new ArrayList<>();
        for (ExperimentViews.PhaseView phase : completed(experiments.phases(id))) {
            List<Object> row = new ArrayList<>();
            row.add(phase.index());
            for (int task = 0; task < experiment.phaseCount(); task++) {
                List<Double> accuracies = phase.accuracyRow();
                row.add(accuracies != null && task < accuracies.size() ? accuracies.get(task) : null);
            }
            rows.add(row);
        }
        return new Table(header, rows);
    }

    /**
     * PyCIL's orientation: a row per group of {@code increment} classes in class order (its
     * {@code "00-09"} keys, the increment being the size of the phases after the first) and a column
     * per phase, as PyCIL's trainer builds the table its forgetting is computed from (there a group
     * not seen yet is 0; here it is empty).
     */
    public Table matrixGrouped(UUID id) {
        ExperimentViews.Experiment experiment = experiments.get(id);
        List<List<Integer>> planned = experiment.plan().phases();
        int increment =
                planned.size() > 1 ? planned.get(1).size() : planned.get(0).size();
        List<Integer> order = experiment.plan().classOrder();
        List<String> header = new ArrayList<>(List.of("classes"));
        for (int phase = 0; phase < experiment.phaseCount(); phase++) {
            header.add("phase_" + phase);
        }
        List<Map<String, Double>> byPhase = new ArrayList<>();
        for (ExperimentViews.PhaseView phase : completed(experiments.phases(id))) {
            Map<Integer, Double> perClass = new TreeMap<>();
            if (phase.perClassAccuracy() != null) {
                phase.perClassAccuracy().forEach((label, accuracy) -> perClass.put(Integer.parseInt(label), accuracy));
            }
            while (byPhase.size() < phase.index()) {
                byPhase.add(Map.of());
            }
            byPhase.add(RunMetrics.groupedAccuracy(order, increment, perClass));
        }
        List<List<Object>> rows = new ArrayList<>();
        for (int start = 0; start < order.size(); start += increment) {
            String key = RunMetrics.groupKey(start, increment);
            List<Object> row = new ArrayList<>();
            row.add(key);
            for (int phase = 0; phase < experiment.phaseCount(); phase++) {
                row.add(phase < byPhase.size() ? byPhase.get(phase).get(key) : null);
            }
            rows.add(row);
        }
        return new Table(header, rows);
    }

    private static List<ExperimentViews.PhaseView> completed(List<ExperimentViews.PhaseView> phases) {
        return phases.stream()
                .filter(p -> p.status() == PhaseStatus.COMPLETED && p.accuracy() != null)
                .toList();
    }
}
