package org.mnemos.experiment;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.security.Caller;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping(path = "/api/v1/experiments", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "experiments", description = "Submit, follow and control class-incremental learning runs")
public class ExperimentController {

    private final ExperimentService service;

    public ExperimentController(ExperimentService service) {
        this.service = service;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Submit an experiment",
            description = "The body is an experiment spec; it may name a preset whose fields it overrides. "
                    + "Unknown fields and values of the wrong type are rejected. A retry with the same Idempotency-Key "
                    + "and body returns the first experiment (200) instead of creating another. With from {experiment, phase} the "
                    + "run reuses that finished run's phases 0..phase (a phase-reused event each, no training) when everything "
                    + "that determines them resolves identically; otherwise a 400 names the first field that differs.",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content =
                                    @Content(
                                            mediaType = MediaType.APPLICATION_JSON_VALUE,
                                            schema = @Schema(implementation = ExperimentSpec.class))))
    @ApiResponse(responseCode = "201", description = "Created and queued")
    @ApiResponse(responseCode = "200", description = "An earlier submission with this Idempotency-Key")
    public ResponseEntity<ExperimentViews.Submitted> submit(
            @RequestBody byte[] body,
            @Parameter(description = "makes retries safe: the same key and body return the first experiment")
                    @RequestHeader(name = "Idempotency-Key", required = false)
                    String idempotencyKey,
            HttpServletRequest request) {
        ExperimentService.Submission submission = service.submit(body, idempotencyKey, Caller.of(request));
        UUID id = submission.experiment().id();
        return ResponseEntity.status(submission.created() ? HttpStatus.CREATED : HttpStatus.OK)
                .location(URI.create("/api/v1/experiments/" + id))
                .body(submission.experiment());
    }

    @GetMapping
    @Operation(
            summary = "List experiments, newest first",
            description = "Cursor pagination: pass nextCursor as cursor. With API keys configured, a key sees the "
                    + "experiments it submitted; a key with the admin scope sees every owner's.")
    public ExperimentViews.Page list(
            @RequestParam(required = false) ExperimentStatus status,
            @Parameter(description = "page size, 1 to 100 (default 20)") @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor,
            HttpServletRequest request) {
        return service.list(status, limit, cursor, Caller.of(request));
    }

    @GetMapping("/{id}")
    @Operation(summary = "An experiment with its progress, resolved spec, plan and summary")
    public ExperimentViews.Experiment get(@PathVariable UUID id) {
        return service.get(id);
    }

    @GetMapping("/{id}/phases")
    @Operation(summary = "The phases of an experiment with their metrics")
    public List<ExperimentViews.PhaseView> phases(@PathVariable UUID id) {
        return service.phases(id);
    }

    @PostMapping("/{id}/cancel")
    @Operation(
            summary = "Cancel an experiment",
            description =
                    "A QUEUED run is cancelled at once; a RUNNING one becomes CANCELLING and stops between batches.")
    public ExperimentViews.Experiment cancel(@PathVariable UUID id) {
        return service.cancel(id);
    }

    @PostMapping("/{id}/resume")
    @Operation(summary = "Resume a FAILED or CANCELLED experiment from its first phase that did not complete")
    public ExperimentViews.Experiment resume(@PathVariable UUID id) {
        return service.resume(id);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete an experiment with its phases, events and artifacts (not while it runs)")
    @ApiResponse(responseCode = "204", description = "Deleted")
    public void delete(@PathVariable UUID id) {
        service.delete(id);
    }
}
