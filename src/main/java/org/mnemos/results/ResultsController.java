package org.mnemos.results;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.mnemos.web.ApiException;
import org.mnemos.web.FieldProblem;
import org.mnemos.web.ProblemType;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Exports of one run's figures (the owner check of every experiment route applies). */
@RestController
@Tag(name = "experiments")
public class ResultsController {

    private static final List<String> ORIENTATIONS = List.of("phase", "grouped");

    private final ResultsService results;

    public ResultsController(ResultsService results) {
        this.results = results;
    }

    @GetMapping("/api/v1/experiments/{id}/results")
    @Operation(
            summary = "Every figure of the run's completed phases and of its summary in long form",
            description =
                    "One row per number: experiment, seed, phase (empty for the run's figures), metric, classifier, value."
                            + " backward_transfer is Lopez-Paz & Ranzato's (GEM, 2017) over the phases so far; top5_accuracy (more than"
                            + " five seen classes) and old_predicted_as_new (the old classes' test images predicted as this phase's"
                            + " classes, phases after the first) per classifier.")
    @ApiResponse(
            responseCode = "200",
            description = "The rows",
            content = {
                @Content(
                        mediaType = MediaType.APPLICATION_JSON_VALUE,
                        array = @ArraySchema(schema = @Schema(implementation = ResultRow.class))),
                @Content(mediaType = "text/csv", schema = @Schema(type = "string"))
            })
    public ResponseEntity<?> results(
            @PathVariable UUID id,
            @Parameter(description = "json (default) or csv") @RequestParam(required = false) String format) {
        String chosen = Csv.format(format, List.of("json", "csv"));
        List<ResultRow> rows = results.rows(id);
        if (chosen.equals("json")) {
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(rows);
        }
        return Csv.download(
                id + "-results.csv",
                Csv.write(ResultRow.COLUMNS, rows.stream().map(ResultRow::cells).toList()));
    }

    @GetMapping("/api/v1/experiments/{id}/accuracy-matrix")
    @Operation(
            summary = "The accuracy matrix as CSV",
            description =
                    "orientation=phase (default): a row per completed phase, a column per phase's classes (task_j). "
                            + "orientation=grouped: PyCIL's table, a row per group of increment classes in class order (\"00-09\"), a column per phase.")
    @ApiResponse(
            responseCode = "200",
            description = "The matrix",
            content = @Content(mediaType = "text/csv", schema = @Schema(type = "string")))
    public ResponseEntity<String> accuracyMatrix(
            @PathVariable UUID id,
            @Parameter(description = "csv (the only format)") @RequestParam(required = false) String format,
            @Parameter(description = "phase (default) or grouped") @RequestParam(required = false) String orientation) {
        Csv.format(format, List.of("csv"));
        String chosen = orientation == null ? "phase" : orientation;
        if (!ORIENTATIONS.contains(chosen)) {
            throw new ApiException(
                    ProblemType.INVALID_PARAMETER,
                    "orientation must be one of " + ORIENTATIONS,
                    List.of(new FieldProblem("orientation", "must be one of " + ORIENTATIONS)));
        }
        ResultsService.Table table = chosen.equals("phase") ? results.matrixByPhase(id) : results.matrixGrouped(id);
        return Csv.download(id + "-accuracy-matrix-" + chosen + ".csv", Csv.write(table.header(), table.rows()));
    }

    @GetMapping("/api/v1/experiments/{id}/phases/{index}/confusion")
    @Operation(
            summary = "A completed phase's confusion matrix as CSV",
            description =
                    "A row per true class and a column per predicted class (the seen classes' original labels in class"
                            + " order, first column true_class); cells count test images, so row i sums to the test images of its class."
                            + " 404 for a phase that has not completed, a classifier the run does not use, or a phase evaluated before"
                            + " confusion matrices were stored.")
    @ApiResponse(
            responseCode = "200",
            description = "The matrix",
            content = @Content(mediaType = "text/csv", schema = @Schema(type = "string")))
    public ResponseEntity<String> confusion(
            @PathVariable UUID id,
            @PathVariable int index,
            @Parameter(description = "csv (the only format)") @RequestParam(required = false) String format,
            @Parameter(description = "cnn (default) or nme") @RequestParam(required = false) String classifier) {
        Csv.format(format, List.of("csv"));
        String chosen = classifier == null ? "cnn" : classifier;
        if (!ResultsService.CLASSIFIERS.contains(chosen)) {
            throw new ApiException(
                    ProblemType.INVALID_PARAMETER,
                    "classifier must be one of " + ResultsService.CLASSIFIERS,
                    List.of(new FieldProblem("classifier", "must be one of " + ResultsService.CLASSIFIERS)));
        }
        ResultsService.Table table = results.confusion(id, index, chosen);
        return Csv.download(
                id + "-phase-" + index + "-confusion-" + chosen + ".csv", Csv.write(table.header(), table.rows()));
    }
}
