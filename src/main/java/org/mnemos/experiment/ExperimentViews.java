package org.mnemos.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.mnemos.catalog.ReferenceCard;
import org.mnemos.engine.metrics.RunSummary;
import tools.jackson.databind.JsonNode;

/** The JSON shapes of the experiments API. */
public final class ExperimentViews {

    private ExperimentViews() {}

    @Schema(description = "The experiment a submission created or, for a retried Idempotency-Key, found")
    public record Submitted(UUID id, ExperimentStatus status) {}

    @Schema(description = "Where a run is: the current phase's training position and the run's overall fraction")
    public record Progress(
            int phase,
            int phases,
            String stage,
            int epoch,
            int epochs,
            long step,
            long steps,

            @Schema(description = "fraction of the whole run done, 0..1")
            double fraction,

            double imagesPerSecond,

            @Schema(description = "estimated seconds to the end of the run; null until it can be estimated")
            Long etaSeconds,

            @Schema(description = "the stage's latest training loss; null before its first step or when not finite")
            Double loss) {}

    @Schema(
            description =
                    "A finished phase a run starts from: the run reuses that experiment's phases 0..phase as its own")
    public record Fork(
            @Schema(description = "the experiment to fork (your own)")
            UUID experiment,

            @Schema(description = "the last phase to reuse; it must have completed")
            int phase) {}

    @Schema(description = "The resolved class order and the original labels of each phase")
    public record Plan(List<Integer> classOrder, List<List<Integer>> phases, List<String> classNames) {}

    public record Experiment(
            UUID id,
            String name,
            ExperimentStatus status,
            Progress progress,

            @Schema(description = "the resolved spec (preset merged)", implementation = Object.class)
            JsonNode spec,

            Plan plan,
            long seed,
            String specHash,
            Map<String, String> versions,
            int phaseCount,
            int completedPhases,
            Instant createdAt,
            Instant startedAt,
            Instant finishedAt,
            String error,
            RunSummary summary,

            @Schema(
                    description =
                            "id of the latest event stored when this was read: the events stream (Last-Event-ID or lastEventId) resumes after it without replaying what this already shows; 0 before the first event")
            long lastEventId,

            @Schema(
                    description =
                            "the worker pool the run's phases go to: resources.pool, or the smallest pool the run fits when it names none and does not fit every pool; null: any pool")
            String pool,

            @Schema(
                    description =
                            "the run's place in its pool's queue while a phase of it waits for a worker: 1 is the next"
                                    + " phase a free worker of the pool takes (higher resources.priority first, then"
                                    + " the earlier submission); null while a phase of it runs and once it has ended")
            Integer queuePosition,

            @Schema(
                    description =
                            "for a run of a preset that carries a reference card: the card and how this run compares"
                                    + " with it; absent otherwise")
            @JsonInclude(JsonInclude.Include.NON_NULL)
            Reference reference,

            @Schema(
                    description =
                            "the finished phase this run was forked from; absent for a run that started from scratch")
            @JsonInclude(JsonInclude.Include.NON_NULL)
            Fork forkedFrom) {}

    @Schema(description = "How a run of a preset compares with the published figure on the preset's reference card")
    public record Reference(
            String preset,
            ReferenceCard card,
            ReferenceStatus status,

            @Schema(
                    description = "with status compared: the run's figure in percent, the card's metric over the card's"
                            + " classifier (accuracy.cnn or accuracy.nme of each phase); absent otherwise")
            @JsonInclude(JsonInclude.Include.NON_NULL)
            Double runPercent,

            @Schema(
                    description = "with status compared: runPercent minus the card's percent, in percentage points;"
                            + " absent otherwise")
            @JsonInclude(JsonInclude.Include.NON_NULL)
            Double referenceDelta,

            @Schema(
                    description =
                            "the resolved spec fields in which this run differs from its preset (resolved the same"
                                    + " way), with both values; empty when it runs the preset as it is")
            List<SpecDifference> differences,

            @Schema(description = "the status in words") String explanation) {}

    public enum ReferenceStatus {
        /** The run finished under the card's conditions: referenceDelta is given. */
        @JsonProperty("compared")
        COMPARED,
        /** The run changed a spec field of its preset: the card's conditions no longer hold. */
        @JsonProperty("specDiffers")
        SPEC_DIFFERS,
        /** The run has not (or not successfully) finished. */
        @JsonProperty("notFinished")
        NOT_FINISHED,
        /** A phase has no accuracy under the card's classifier. */
        @JsonProperty("classifierMissing")
        CLASSIFIER_MISSING
    }

    @Schema(
            description = "A resolved spec field whose value differs between the run and its preset; a value is absent"
                    + " where that side has no such field")
    public record SpecDifference(
            @Schema(description = "dotted path, e.g. training.epochs")
            String field,

            @Schema(implementation = Object.class) @JsonInclude(JsonInclude.Include.NON_NULL)
            JsonNode run,

            @Schema(implementation = Object.class) @JsonInclude(JsonInclude.Include.NON_NULL)
            JsonNode preset) {}

    public record ExperimentItem(
            UUID id,
            String name,
            ExperimentStatus status,
            Progress progress,
            int phaseCount,
            int completedPhases,
            Instant createdAt,
            Instant startedAt,
            Instant finishedAt,
            RunSummary summary,

            @Schema(description = "the resolved spec's method.name")
            String method,

            @Schema(description = "the resolved spec's dataset.name")
            String dataset,

            @Schema(
                    description =
                            "the run's place in its pool's queue while a phase of it waits for a worker: 1 is the next"
                                    + " phase a free worker of the pool takes (higher resources.priority first, then"
                                    + " the earlier submission); null while a phase of it runs and once it has ended")
            Integer queuePosition,

            @Schema(
                    description =
                            "id of the latest event stored when this was read: the events stream (Last-Event-ID or lastEventId) resumes after it without replaying what this already shows; 0 before the first event")
            long lastEventId) {}

    @Schema(name = "ExperimentPage")
    public record Page(
            List<ExperimentItem> items,

            @Schema(description = "pass as cursor for the next page; null on the last")
            String nextCursor) {}

    public record Accuracy(
            @Schema(description = "the method's reported accuracy (its own classifier)")
            Double reported,

            String classifier,
            Double cnn,
            Double nme,
            Double old,
            @JsonProperty("new") Double newClasses) {}

    public record PhaseView(
            int index,
            List<Integer> classes,
            PhaseStatus status,
            Accuracy accuracy,
            List<Double> accuracyRow,
            Map<String, Double> perClassAccuracy,
            Integer exemplarCount,
            Long memoryBytes,
            Double imagesPerSecond,
            Long durationMs,
            int attempts,

            @Schema(description = "The worker process (host/pid) of the last attempt")
            String worker,

            @Schema(description = "Where the last attempt ran: cpu or gpu:<id>")
            String device,

            Instant startedAt,
            Instant completedAt,

            @Schema(
                    description = "What the run's parts measured in the phase, by report name (each part's page under"
                            + " docs/methods says what its report holds), and evaluation (the evaluator's top-5, task-aware accuracy,"
                            + " old-predicted-as-new rate and confusion matrix per classifier) and footprint (model, buffer and exemplar"
                            + " bytes); absent where none reported",
                    implementation = Object.class)
            @JsonInclude(JsonInclude.Include.NON_NULL)
            JsonNode reports,

            @Schema(
                    description =
                            "sha256 of the phase's stored state (the network, memory and part states the next phase"
                                    + " starts from); absent until the phase completes")
            @JsonInclude(JsonInclude.Include.NON_NULL)
            String stateDigest,

            @Schema(
                    description =
                            "for a phase a fork reused: the experiment whose worker trained it; absent for a phase"
                                    + " trained in this run")
            @JsonInclude(JsonInclude.Include.NON_NULL)
            UUID reusedFrom) {}
}
