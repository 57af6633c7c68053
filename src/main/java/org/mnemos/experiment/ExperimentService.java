package org.mnemos.experiment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.mnemos.artifacts.ArtifactStore;
import org.mnemos.artifacts.CheckpointUploads;
import org.mnemos.config.RunMemoryCheck;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.Datasets;
import org.mnemos.engine.RunPlan;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.events.EventPublisher;
import org.mnemos.events.EventQueries;
import org.mnemos.events.EventTypes;
import org.mnemos.security.Caller;
import org.mnemos.web.ApiException;
import org.mnemos.web.FieldProblem;
import org.mnemos.web.ProblemType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Submission, inspection and life-cycle commands of experiments. */
@Service
public class ExperimentService {

    private static final Logger log = LoggerFactory.getLogger(ExperimentService.class);
    private static final JsonMapper JSON = SpecReader.json();
    public static final int MAX_PAGE = 100;
    private static final Set<ExperimentStatus> ACTIVE = EnumSet.copyOf(Arrays.stream(ExperimentStatus.values())
            .filter(ExperimentStatus::isActive)
            .toList());

    public record Submission(ExperimentViews.Submitted experiment, boolean created) {}

    private final CheckpointUploads checkpoints;
    private final RunMemoryCheck memory;
    private final Forks forks;
    private final SpecReader reader;
    private final SpecValidator validator;
    private final CilEngine engine;
    private final ExperimentRepository experiments;
    private final PhaseRepository phases;
    private final PhaseQueue queue;
    private final EventPublisher events;
    private final ArtifactStore artifacts;
    private final VersionInfo versions;
    private final LimitsProperties limits;
    private final TransactionTemplate tx;
    /** Reads a snapshot and its latest event ids in one consistent view of the database. */
    private final TransactionTemplate snapshot;

    private final EventQueries eventQueries;
    private final ReferenceCheck references;
    private final Clock clock = Clock.systemUTC();

    public ExperimentService(
            SpecReader reader,
            SpecValidator validator,
            CilEngine engine,
            ExperimentRepository experiments,
            PhaseRepository phases,
            PhaseQueue queue,
            EventPublisher events,
            ArtifactStore artifacts,
            VersionInfo versions,
            LimitsProperties limits,
            TransactionTemplate tx,
            EventQueries eventQueries,
            CheckpointUploads checkpoints,
            RunMemoryCheck memory,
            Forks forks,
            Datasets datasets) {
        this.checkpoints = checkpoints;
        this.memory = memory;
        this.forks = forks;
        this.reader = reader;
        this.validator = validator;
        this.engine = engine;
        this.experiments = experiments;
        this.phases = phases;
        this.queue = queue;
        this.events = events;
        this.artifacts = artifacts;
        this.versions = versions;
        this.limits = limits;
        this.tx = tx;
        this.snapshot = new TransactionTemplate(tx.getTransactionManager());
        snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        snapshot.setReadOnly(true);
        this.eventQueries = eventQueries;
        this.references = new ReferenceCheck(reader, datasets, phases);
    }

    /** Validates, plans and stores a run with its phases and queues phase 0, all in one transaction. */
    public Submission submit(byte[] body, String idempotencyKey, Caller caller) {
        String owner = caller.keyId();
        if (body.length > limits.maxBodyBytes()) {
            throw new ApiException(
                    ProblemType.PAYLOAD_TOO_LARGE,
                    "The body has " + body.length + " bytes; at most " + limits.maxBodyBytes() + " are accepted.");
        }
        checkIdempotencyKey(idempotencyKey);
        SpecReader.ReadSpec read = reader.read(body);
        if (idempotencyKey != null) {
            var existing = experiments.findByIdempotencyKey(idempotencyKey, owner);
            if (existing.isPresent()) {
                return replay(existing.get(), read.submitted());
            }
        }
        Prepared prepared = prepare(read, caller);
        try {
            return tx.execute(status -> {
                reserveActiveRuns(owner, 1);
                UUID id = store(prepared, idempotencyKey, owner);
                return new Submission(new ExperimentViews.Submitted(id, ExperimentStatus.QUEUED), true);
            });
        } catch (DataIntegrityViolationException e) {
            // a concurrent retry with the same key won the insert
            if (idempotencyKey != null) {
                var existing = experiments.findByIdempotencyKey(idempotencyKey, owner);
                if (existing.isPresent()) {
                    return replay(existing.get(), read.submitted());
                }
            }
            throw e;
        }
    }

    /** Refuses (400, naming the header) an Idempotency-Key that is blank, longer than 200 characters or holds control characters. */
    public static void checkIdempotencyKey(String idempotencyKey) {
        if (idempotencyKey != null
                && (idempotencyKey.isBlank()
                        || idempotencyKey.length() > 200
                        || idempotencyKey.codePoints().anyMatch(Character::isISOControl))) {
            throw new ApiException(
                    ProblemType.INVALID_PARAMETER,
                    "Idempotency-Key must be 1 to 200 characters without control characters",
                    List.of(new FieldProblem(
                            "Idempotency-Key", "must be 1 to 200 characters without control characters")));
        }
    }

    /**
     * A spec read, validated and planned with every default filled: what {@link #store} writes.
     *
     * @param pool the worker pool its phases go to; null: any
     * @param reuse the checked phases of another run it starts from; null for a run from scratch
     */
    public record Prepared(ObjectNode submitted, RunPlan plan, String pool, Forks.Reuse reuse) {}

    /**
     * Reads, validates and plans a spec exactly as a submission does, storing nothing; an invalid
     * spec is an {@link ApiException} naming its fields.
     */
    public Prepared prepare(byte[] body, Caller caller) {
        return prepare(reader.read(body), caller);
    }

    private Prepared prepare(SpecReader.ReadSpec read, Caller caller) {
        List<FieldProblem> problems = validator.validate(read.spec());
        if (!problems.isEmpty()) {
            throw ApiException.invalidSpec(problems);
        }
        checkpoints.requireOwn(read.spec(), caller.keyId());
        // the engine fills every default, so the stored spec says exactly what runs
        RunPlan plan = engine.plan(namedAfterPreset(read.spec()));
        return new Prepared(
                read.submitted(),
                plan,
                memory.pinnedPool(read.spec()).orElse(null),
                read.from() == null ? null : forks.check(read.from(), plan, caller));
    }

    private Submission replay(Experiment existing, ObjectNode submitted) {
        if (!JSON.readTree(existing.getSubmittedSpec()).equals(submitted)) {
            throw new ApiException(
                    ProblemType.IDEMPOTENCY_MISMATCH,
                    "This Idempotency-Key was used for experiment " + existing.getId() + " with a different body.");
        }
        return new Submission(new ExperimentViews.Submitted(existing.getId(), existing.getStatus()), false);
    }

    /** A run submitted by preset without a name of its own is named after the preset. */
    private static ExperimentSpec namedAfterPreset(ExperimentSpec spec) {
        if (spec.name() != null || spec.preset() == null) {
            return spec;
        }
        return new ExperimentSpec(
                spec.preset(),
                spec.seed(),
                spec.preset(),
                spec.dataset(),
                spec.protocol(),
                spec.model(),
                spec.method(),
                spec.memory(),
                spec.training(),
                spec.resources());
    }

    /**
     * Takes the owner's submission lock until the end of the caller's transaction and refuses (429)
     * when {@code more} new runs would take the owner past its limit of active runs.
     */
    public void reserveActiveRuns(String owner, int more) {
        experiments.lockOwner(owner);
        long active = experiments.countByOwnerAndStatusIn(owner, ACTIVE);
        if (active + more > limits.maxConcurrentRunsPerKey()) {
            throw new ApiException(
                    ProblemType.TOO_MANY_RUNS,
                    "There are already " + active
                            + " active experiments for this key and " + more + " more were asked for; at most "
                            + limits.maxConcurrentRunsPerKey() + " are allowed.");
        }
    }

    /**
     * Stores a prepared run with its phases and queues phase 0, within the caller's transaction
     * (after {@link #reserveActiveRuns}); returns the new experiment's id.
     */
    public UUID store(Prepared prepared, String idempotencyKey, String owner) {
        RunPlan plan = prepared.plan();
        ExperimentSpec spec = plan.spec();
        ObjectNode submitted = prepared.submitted();
        String resolved = JSON.writeValueAsString(spec);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Experiment experiment = new Experiment(
                UUID.randomUUID(),
                spec.name(),
                JSON.writeValueAsString(submitted),
                resolved,
                JSON.writeValueAsString(new ExperimentViews.Plan(plan.classOrder(), plan.phases(), plan.classNames())),
                spec.seedOrDefault(),
                sha256(resolved),
                plan.phaseCount(),
                idempotencyKey,
                owner,
                JSON.writeValueAsString(versions.versions()),
                now);
        experiment.routeTo(prepared.pool(), spec.priorityOrDefault());
        // an assigned id makes save a merge: keep the managed copy, which later changes (a fork's) must reach
        experiment = experiments.saveAndFlush(experiment);
        for (int i = 0; i < plan.phaseCount(); i++) {
            phases.save(new Phase(
                    experiment.getId(), i, JSON.writeValueAsString(plan.phases().get(i))));
        }
        phases.flush();
        int first = 0;
        if (prepared.reuse() != null) {
            UUID id = experiment.getId();
            // the shared files are written before the transaction commits: a rollback takes them away again
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    if (status != STATUS_COMMITTED) {
                        deleteArtifacts(id);
                    }
                }
            });
            first = forks.reuse(experiment, prepared.reuse());
        }
        queue.enqueue(experiment, first);
        log.info(
                "Experiment {} '{}' queued with {} phases, from phase {}",
                experiment.getId(),
                spec.name(),
                plan.phaseCount(),
                first);
        return experiment.getId();
    }

    /** Hex sha256 of the canonical JSON (sorted keys, no nulls) of the resolved spec. */
    static String sha256(String canonicalJson) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(canonicalJson.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    public ExperimentViews.Experiment get(UUID id) {
        return snapshot.execute(s -> {
            Experiment experiment = load(id);
            return view(experiment);
        });
    }

    /** The run as the API shows it, read within the caller's transaction. */
    private ExperimentViews.Experiment view(Experiment experiment) {
        UUID id = experiment.getId();
        return toView(
                experiment,
                eventQueries.lastSeq(id),
                references.of(experiment),
                queue.positions(List.of(id)).get(id));
    }

    public List<ExperimentViews.PhaseView> phases(UUID id) {
        load(id);
        return phases.findByExperiment(id).stream()
                .map(p -> toView(p, stateDigest(id, p)))
                .toList();
    }

    private String stateDigest(UUID id, Phase phase) {
        return phase.getStatus() != PhaseStatus.COMPLETED
                ? null
                : artifacts
                        .find(id, phase.getPhaseIndex(), ArtifactStore.STATE)
                        .map(ArtifactStore.ArtifactRecord::sha256)
                        .orElse(null);
    }

    /** A page of the experiments the caller may see: its own, or every owner's for an admin. */
    public ExperimentViews.Page list(ExperimentStatus status, Integer limit, String cursor, Caller caller) {
        int size = limit == null ? 20 : limit;
        if (size < 1 || size > MAX_PAGE) {
            throw new ApiException(
                    ProblemType.INVALID_PARAMETER,
                    "limit must be between 1 and " + MAX_PAGE,
                    List.of(new FieldProblem("limit", "must be between 1 and " + MAX_PAGE)));
        }
        Cursor after = cursor == null ? Cursor.START : Cursor.decode(cursor);
        return snapshot.execute(s -> {
            List<Experiment> rows = status == null
                    ? experiments.pageAfter(
                            after.createdAt(), after.id(), caller.keyId(), caller.admin(), Limit.of(size + 1))
                    : experiments.pageAfter(
                            status, after.createdAt(), after.id(), caller.keyId(), caller.admin(), Limit.of(size + 1));
            boolean more = rows.size() > size;
            List<Experiment> page = more ? rows.subList(0, size) : rows;
            String next = more ? Cursor.of(page.get(size - 1)).encode() : null;
            List<UUID> ids = page.stream().map(Experiment::getId).toList();
            Map<UUID, Long> lastSeqs = eventQueries.lastSeqs(ids);
            Map<UUID, Integer> positions = queue.positions(ids);
            return new ExperimentViews.Page(
                    page.stream()
                            .map(e -> toItem(e, lastSeqs.getOrDefault(e.getId(), 0L), positions.get(e.getId())))
                            .toList(),
                    next);
        });
    }

    public ExperimentViews.Experiment cancel(UUID id) {
        // a worker may start the run between this read and the write: read it again and cancel what it now is
        for (int attempt = 1; ; attempt++) {
            try {
                return cancelOnce(id);
            } catch (org.springframework.orm.ObjectOptimisticLockingFailureException raced) {
                if (attempt == 3) {
                    throw raced;
                }
            }
        }
    }

    private ExperimentViews.Experiment cancelOnce(UUID id) {
        return tx.execute(s -> {
            Experiment experiment = load(id);
            Instant now = clock.instant();
            switch (experiment.getStatus()) {
                case QUEUED -> {
                    experiment.transition(ExperimentStatus.CANCELLED, now);
                    events.publish(
                            id, "experiment-cancelled", Map.of("id", id, "phase", experiment.getCompletedPhases()));
                }
                case RUNNING -> experiment.transition(ExperimentStatus.CANCELLING, now);
                case CANCELLING, CANCELLED -> {}
                default ->
                    throw ApiException.conflict("Experiment " + id + " is " + experiment.getStatus()
                            + "; only QUEUED or RUNNING experiments can be cancelled.");
            }
            experiments.flush();
            return view(experiment);
        });
    }

    /** Requeues a FAILED or CANCELLED run from its first phase that did not complete. */
    public ExperimentViews.Experiment resume(UUID id) {
        return tx.execute(s -> {
            Experiment experiment = load(id);
            if (experiment.getStatus() != ExperimentStatus.FAILED
                    && experiment.getStatus() != ExperimentStatus.CANCELLED) {
                throw ApiException.conflict("Experiment " + id + " is " + experiment.getStatus()
                        + "; only FAILED or CANCELLED experiments can be resumed.");
            }
            List<Phase> all = phases.findByExperiment(id);
            Phase next = all.stream()
                    .filter(p -> p.getStatus() != PhaseStatus.COMPLETED)
                    .findFirst()
                    .orElseThrow(() -> ApiException.conflict("Experiment " + id + " has no phase left to run."));
            all.stream().filter(p -> p.getStatus() != PhaseStatus.COMPLETED).forEach(p -> p.end(PhaseStatus.PENDING));
            experiment.transition(ExperimentStatus.QUEUED, clock.instant());
            experiment.resetAttempts();
            experiments.flush();
            events.publish(id, EventTypes.EXPERIMENT_RESUMED, Map.of("phase", next.getPhaseIndex()));
            queue.enqueue(experiment, next.getPhaseIndex());
            return view(experiment);
        });
    }

    public void delete(UUID id) {
        tx.execute(s -> {
            Experiment experiment = load(id);
            if (experiment.getStatus() == ExperimentStatus.RUNNING
                    || experiment.getStatus() == ExperimentStatus.CANCELLING) {
                throw ApiException.conflict(
                        "Experiment " + id + " is " + experiment.getStatus() + "; cancel it first.");
            }
            experiments.delete(experiment);
            experiments.flush();
            return null;
        });
        deleteArtifacts(id);
    }

    private void deleteArtifacts(UUID id) {
        try {
            artifacts.deleteAll(id);
        } catch (IOException e) {
            log.warn("Experiment {} deleted but some of its artifact files remain: {}", id, e.toString());
        }
    }

    private Experiment load(UUID id) {
        return experiments.findById(id).orElseThrow(() -> ApiException.notFound("Experiment " + id));
    }

    static ExperimentViews.Experiment toView(
            Experiment e, long lastEventId, ExperimentViews.Reference reference, Integer queuePosition) {
        return new ExperimentViews.Experiment(
                e.getId(),
                e.getName(),
                e.getStatus(),
                read(e.getProgress(), ExperimentViews.Progress.class),
                SpecReader.storedTree(e.getResolvedSpec()),
                read(e.getPlan(), ExperimentViews.Plan.class),
                e.getSeed(),
                e.getSpecHash(),
                readMap(e.getVersions()),
                e.getPhaseCount(),
                e.getCompletedPhases(),
                e.getCreatedAt(),
                e.getStartedAt(),
                e.getFinishedAt(),
                e.getError(),
                read(e.getSummary(), org.mnemos.engine.metrics.RunSummary.class),
                lastEventId,
                e.getPool(),
                queuePosition,
                reference,
                e.getForkedFrom() == null ? null : new ExperimentViews.Fork(e.getForkedFrom(), e.getForkedPhase()));
    }

    static ExperimentViews.ExperimentItem toItem(Experiment e, long lastEventId, Integer queuePosition) {
        tools.jackson.databind.JsonNode spec = JSON.readTree(e.getResolvedSpec());
        return new ExperimentViews.ExperimentItem(
                e.getId(),
                e.getName(),
                e.getStatus(),
                read(e.getProgress(), ExperimentViews.Progress.class),
                e.getPhaseCount(),
                e.getCompletedPhases(),
                e.getCreatedAt(),
                e.getStartedAt(),
                e.getFinishedAt(),
                read(e.getSummary(), org.mnemos.engine.metrics.RunSummary.class),
                spec.path("method").path("name").asString(null),
                spec.path("dataset").path("name").asString(null),
                queuePosition,
                lastEventId);
    }

    /** @param stateDigest the sha256 of the phase's stored state, null before it completes */
    static ExperimentViews.PhaseView toView(Phase p, String stateDigest) {
        tools.jackson.databind.JsonNode reports = p.getReports() == null ? null : JSON.readTree(p.getReports());
        ExperimentViews.Accuracy accuracy = p.getStatus() == PhaseStatus.COMPLETED
                ? new ExperimentViews.Accuracy(
                        p.getAccuracy(),
                        p.getClassifier(),
                        p.getCnnAccuracy(),
                        p.getNmeAccuracy(),
                        p.getOldAccuracy(),
                        p.getNewAccuracy())
                : null;
        return new ExperimentViews.PhaseView(
                p.getPhaseIndex(),
                readIntList(p.getClasses()),
                p.getStatus(),
                accuracy,
                p.getAccuracyRow() == null
                        ? null
                        : JSON.readValue(
                                p.getAccuracyRow(),
                                JSON.getTypeFactory().constructCollectionType(List.class, Double.class)),
                p.getPerClassAccuracy() == null
                        ? null
                        : JSON.readValue(
                                p.getPerClassAccuracy(),
                                JSON.getTypeFactory()
                                        .constructMapType(java.util.TreeMap.class, String.class, Double.class)),
                p.getExemplarCount(),
                p.getMemoryBytes(),
                p.getImagesPerSecond(),
                p.getDurationMs(),
                p.getAttempts(),
                p.getWorker(),
                p.getDevice(),
                p.getStartedAt(),
                p.getCompletedAt(),
                reports,
                stateDigest,
                p.getReusedFrom());
    }

    private static <T> T read(String json, Class<T> type) {
        return json == null ? null : JSON.readValue(json, type);
    }

    private static Map<String, String> readMap(String json) {
        return JSON.readValue(
                json,
                JSON.getTypeFactory().constructMapType(java.util.LinkedHashMap.class, String.class, String.class));
    }

    private static List<Integer> readIntList(String json) {
        return JSON.readValue(json, JSON.getTypeFactory().constructCollectionType(List.class, Integer.class));
    }

    /** Opaque position after the last row of a page: its created_at and id. */
    record Cursor(Instant createdAt, UUID id) {

        /** Before every row: later than any creation time, above every id. */
        static final Cursor START = new Cursor(Instant.parse("9999-12-31T00:00:00Z"), new UUID(-1L, -1L));

        static Cursor of(Experiment e) {
            return new Cursor(e.getCreatedAt(), e.getId());
        }

        String encode() {
            String raw = createdAt.getEpochSecond() + ":" + createdAt.getNano() + ":" + id;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String cursor) {
            try {
                String[] parts =
                        new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(":", 3);
                return new Cursor(
                        Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])),
                        UUID.fromString(parts[2]));
            } catch (RuntimeException e) {
                throw new ApiException(
                        ProblemType.INVALID_PARAMETER,
                        "cursor is not one this API returned",
                        List.of(new FieldProblem("cursor", "must be a nextCursor value from a previous page")));
            }
        }
    }
}
