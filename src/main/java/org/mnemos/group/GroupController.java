package org.mnemos.group;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.mnemos.results.Csv;
import org.mnemos.security.Caller;
import org.mnemos.web.ApiException;
import org.mnemos.web.FieldProblem;
import org.mnemos.web.ProblemType;
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
@RequestMapping("/api/v1/groups")
@Tag(name = "groups", description = "Seed groups: arms × seeds, compared by paired differences over shared seeds")
public class GroupController {

    private static final List<String> VIEWS = List.of("members", "arms", "differences");

    private final GroupService groups;

    public GroupController(GroupService groups) {
        this.groups = groups;
    }

    /** The request body, for the contract: each arm's spec is an experiment spec without a seed. */
    @Schema(name = "GroupRequest")
    record GroupRequest(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED)
            String name,

            @Schema(
                    requiredMode = Schema.RequiredMode.REQUIRED,
                    description = "distinct integers >= 0; each arm runs once per seed")
            List<Long> seeds,

            @Schema(requiredMode = Schema.RequiredMode.REQUIRED)
            List<ArmRequest> arms) {}

    @Schema(name = "GroupArmRequest")
    record ArmRequest(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "distinct within the group")
            String label,

            @Schema(
                    requiredMode = Schema.RequiredMode.REQUIRED,
                    implementation = Object.class,
                    description = "an experiment spec (as POST /api/v1/experiments takes) without seed")
            Object spec) {}

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            operationId = "createGroup",
            summary = "Create a group: one experiment per arm and seed",
            description = "Every member's spec is validated as a submission is; an error names its path in this body "
                    + "(arms[1].spec.method.name). All members are queued in one transaction and count together against "
                    + "the key's limit of active experiments.",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content =
                                    @Content(
                                            mediaType = MediaType.APPLICATION_JSON_VALUE,
                                            schema = @Schema(implementation = GroupRequest.class))))
    @ApiResponse(responseCode = "201", description = "Created; every member queued")
    @ApiResponse(
            responseCode = "200",
            description = "An earlier request with this Idempotency-Key and the same body: that group")
    public ResponseEntity<GroupViews.Created> create(
            @RequestBody byte[] body,
            @Parameter(
                            description =
                                    "1 to 200 characters: a retry with the same key and the same body returns the group the first"
                                            + " request created; the same key with another body is refused (422)")
                    @RequestHeader(name = "Idempotency-Key", required = false)
                    String idempotencyKey,
            HttpServletRequest request) {
        GroupService.Creation creation = groups.create(body, idempotencyKey, Caller.of(request));
        GroupViews.Created created = creation.group();
        return ResponseEntity.status(creation.created() ? HttpStatus.CREATED : HttpStatus.OK)
                .location(URI.create("/api/v1/groups/" + created.id()))
                .body(created);
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            operationId = "listGroups",
            summary = "The caller's groups, newest first (every owner's for an admin key)")
    public GroupViews.Page list(
            @Parameter(description = "how many, 1 to 100 (default 20)") @RequestParam(required = false) Integer limit,
            HttpServletRequest request) {
        return groups.list(limit, Caller.of(request));
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            operationId = "getGroup",
            summary = "A group's members and statistics",
            description =
                    "Per arm and metric the mean, sample std (n - 1) and n over its SUCCEEDED members; for each pair "
                            + "of arms (later minus earlier) the mean paired difference over shared seeds with its 95 % Student-t interval.")
    public GroupViews.Group get(@PathVariable UUID id, HttpServletRequest request) {
        return groups.get(id, Caller.of(request));
    }

    @PostMapping(path = "/{id}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "cancelGroup", summary = "Cancel every queued or running member")
    public GroupViews.Group cancel(@PathVariable UUID id, HttpServletRequest request) {
        return groups.cancel(id, Caller.of(request));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(operationId = "deleteGroup", summary = "Delete a group with all its members (not while one runs)")
    @ApiResponse(responseCode = "204", description = "Deleted")
    public void delete(@PathVariable UUID id, HttpServletRequest request) {
        groups.delete(id, Caller.of(request));
    }

    @GetMapping("/{id}/table")
    @Operation(
            operationId = "groupTable",
            summary = "A group's table as CSV",
            description =
                    "view=members (default): a row per member with its final and average incremental accuracy, forgetting "
                            + "and backward transfer; view=arms: arm, metric, mean, std, n; view=differences: arm, baseline, metric, "
                            + "mean, std, n, low, high. Per-phase accuracy appears as metric phase_accuracy[k].")
    @ApiResponse(
            responseCode = "200",
            description = "The table",
            content = @Content(mediaType = "text/csv", schema = @Schema(type = "string")))
    public ResponseEntity<String> table(
            @PathVariable UUID id,
            @Parameter(description = "csv (the only format)") @RequestParam(required = false) String format,
            @Parameter(description = "members (default), arms or differences") @RequestParam(required = false)
                    String view,
            HttpServletRequest request) {
        Csv.format(format, List.of("csv"));
        String chosen = view == null ? "members" : view;
        if (!VIEWS.contains(chosen)) {
            throw new ApiException(
                    ProblemType.INVALID_PARAMETER,
                    "view must be one of " + VIEWS,
                    List.of(new FieldProblem("view", "must be one of " + VIEWS)));
        }
        Caller caller = Caller.of(request);
        String csv = switch (chosen) {
            case "members" -> Csv.write(GroupService.memberColumns(), groups.memberTable(id, caller));
            case "arms" -> armTable(groups.get(id, caller));
            default -> differenceTable(groups.get(id, caller));
        };
        return Csv.download(id + "-" + chosen + ".csv", csv);
    }

    private static String armTable(GroupViews.Group group) {
        List<List<Object>> rows = new ArrayList<>();
        for (GroupViews.Arm arm : group.arms()) {
            arm.metrics().forEach((metric, stat) -> rows.add(statRow(arm.label(), GroupService.snake(metric), stat)));
            for (int p = 0; p < arm.phaseAccuracy().size(); p++) {
                rows.add(statRow(
                        arm.label(),
                        "phase_accuracy[" + p + "]",
                        arm.phaseAccuracy().get(p)));
            }
        }
        return Csv.write(List.of("arm", "metric", "mean", "std", "n"), rows);
    }

    private static List<Object> statRow(String arm, String metric, GroupViews.Stat stat) {
        return java.util.Arrays.asList(arm, metric, stat.mean(), stat.std(), stat.n());
    }

    private static String differenceTable(GroupViews.Group group) {
        List<List<Object>> rows = new ArrayList<>();
        for (GroupViews.Comparison comparison : group.comparisons()) {
            comparison
                    .metrics()
                    .forEach((metric, d) -> rows.add(differenceRow(comparison, GroupService.snake(metric), d)));
            for (int p = 0; p < comparison.phaseAccuracy().size(); p++) {
                rows.add(differenceRow(
                        comparison,
                        "phase_accuracy[" + p + "]",
                        comparison.phaseAccuracy().get(p)));
            }
        }
        return Csv.write(List.of("arm", "baseline", "metric", "mean", "std", "n", "low", "high"), rows);
    }

    private static List<Object> differenceRow(
            GroupViews.Comparison comparison, String metric, GroupViews.Difference d) {
        return java.util.Arrays.asList(
                comparison.arm(), comparison.baseline(), metric, d.mean(), d.std(), d.n(), d.low(), d.high());
    }
}
