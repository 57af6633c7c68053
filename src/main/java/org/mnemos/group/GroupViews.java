package org.mnemos.group;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.mnemos.experiment.ExperimentStatus;

/** The JSON shapes of the groups API. */
public final class GroupViews {

    private GroupViews() {}

    @Schema(description = "A group as created: its id and its members")
    public record Created(UUID id, String name, List<Member> members) {}

    @Schema(description = "One run of a group: the experiment of one arm and seed")
    public record Member(String arm, long seed, UUID experiment, ExperimentStatus status) {}

    @Schema(description = "Mean, sample standard deviation (n - 1) and count over an arm's finished members")
    public record Stat(
            Double mean,
            @Schema(description = "null below two values") Double std,
            int n) {}

    @Schema(
            description =
                    "arm - baseline over the seeds both finished: mean, sample std, count and 95 % Student-t interval")
    public record Difference(
            Double mean,
            Double std,
            int n,

            @Schema(description = "mean - t(0.975, n-1)·std/√n; null below two pairs")
            Double low,

            @Schema(description = "mean + t(0.975, n-1)·std/√n; null below two pairs")
            Double high,

            @Schema(description = "the shared seeds the differences were taken over")
            List<Long> seeds) {}

    @Schema(description = "An arm's figures over its finished (SUCCEEDED) members")
    public record Arm(
            String label,
            int finished,
            List<Member> members,

            @Schema(
                    description =
                            "finalAccuracy, averageIncrementalAccuracy, forgetting (Chaudhry et al.), backwardTransfer (Lopez-Paz & Ranzato)")
            Map<String, Stat> metrics,

            @Schema(description = "the reported accuracy after each phase")
            List<Stat> phaseAccuracy) {}

    @Schema(description = "One pair of arms: arm - baseline, where baseline is the earlier arm of the request")
    public record Comparison(
            String arm, String baseline, Map<String, Difference> metrics, List<Difference> phaseAccuracy) {}

    public record Group(
            UUID id, String name, Instant createdAt, List<Long> seeds, List<Arm> arms, List<Comparison> comparisons) {}

    public record GroupItem(
            UUID id,
            String name,
            Instant createdAt,
            List<Long> seeds,
            List<String> arms,
            @Schema(description = "members per status") Map<ExperimentStatus, Integer> statuses) {}

    @Schema(name = "GroupPage")
    public record Page(List<GroupItem> items) {}
}
