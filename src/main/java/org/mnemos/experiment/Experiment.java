package org.mnemos.experiment;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One submitted run; its JSON columns hold serialized JSON text written by {@link SpecReader#json()}. */
@Entity
@Table(name = "experiments")
public class Experiment {

    @Id
    private UUID id;

    @Column(nullable = false)
    private String name;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    private ExperimentStatus status;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "submitted_spec", nullable = false)
    private String submittedSpec;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "resolved_spec", nullable = false)
    private String resolvedSpec;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    private String plan;

    @Column(nullable = false)
    private long seed;

    @Column(name = "spec_hash", nullable = false)
    private String specHash;

    @Column(name = "phase_count", nullable = false)
    private int phaseCount;

    @Column(name = "completed_phases", nullable = false)
    private int completedPhases;

    @Column(name = "idempotency_key")
    private String idempotencyKey;

    @Column(name = "owner_key")
    private String ownerKey;

    @JdbcTypeCode(SqlTypes.JSON)
    private String progress;

    @JdbcTypeCode(SqlTypes.JSON)
    private String summary;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    private String versions;

    private String error;

    /** The worker pool the run's phases go to; null: any pool. */
    private String pool;

    /** The run's queue priority (resources.priority), higher first. */
    @Column(nullable = false)
    private int priority;

    @Column(nullable = false)
    private int attempts;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "started_at")
    private Instant startedAt;

    @Column(name = "finished_at")
    private Instant finishedAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    /** The run this one was forked from and the last phase it reused; null for a run that started from scratch. */
    @Column(name = "forked_from")
    private UUID forkedFrom;

    @Column(name = "forked_phase")
    private Integer forkedPhase;

    @Version
    @Column(name = "row_version", nullable = false)
    private long rowVersion;

    protected Experiment() {}

    public Experiment(
            UUID id,
            String name,
            String submittedSpec,
            String resolvedSpec,
            String plan,
            long seed,
            String specHash,
            int phaseCount,
            String idempotencyKey,
            String ownerKey,
            String versions,
            Instant createdAt) {
        this.id = id;
        this.name = name;
        this.status = ExperimentStatus.QUEUED;
        this.submittedSpec = submittedSpec;
        this.resolvedSpec = resolvedSpec;
        this.plan = plan;
        this.seed = seed;
        this.specHash = specHash;
        this.phaseCount = phaseCount;
        this.idempotencyKey = idempotencyKey;
        this.ownerKey = ownerKey;
        this.versions = versions;
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
    }

    public void transition(ExperimentStatus next, Instant now) {
        this.status = next;
        this.updatedAt = now;
        if (next == ExperimentStatus.RUNNING && startedAt == null) {
            startedAt = now;
        }
        if (next == ExperimentStatus.QUEUED) {
            finishedAt = null;
            error = null;
        }
        if (next == ExperimentStatus.CANCELLED
                || next == ExperimentStatus.SUCCEEDED
                || next == ExperimentStatus.FAILED) {
            finishedAt = now;
        }
    }

    /** Routes the run's phases to one worker pool (null: any) at a queue priority, before it is stored. */
    public void routeTo(String pool, int priority) {
        this.pool = pool;
        this.priority = priority;
    }

    public void fail(String error, Instant now) {
        this.error = error;
        transition(ExperimentStatus.FAILED, now);
    }

    /** Records that phases 0..{@code phase} are {@code source}'s, reused. */
    public void forkOf(UUID source, int phase) {
        this.forkedFrom = source;
        this.forkedPhase = phase;
    }

    public void phaseCompleted(int completedPhases, String summary, Instant now) {
        this.completedPhases = completedPhases;
        this.summary = summary;
        this.updatedAt = now;
    }

    /**
     * Counts an attempt at the current phase as it starts, before any training, so that an attempt
     * that ends the worker process is counted too; returns how many have started so far.
     */
    public int startAttempt() {
        return ++attempts;
    }

    /** Takes back the current attempt: it was interrupted by a worker's shutdown, not by the phase. */
    public void releaseAttempt() {
        attempts = Math.max(0, attempts - 1);
    }

    public void resetAttempts() {
        attempts = 0;
    }

    public UUID getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public ExperimentStatus getStatus() {
        return status;
    }

    public String getSubmittedSpec() {
        return submittedSpec;
    }

    public String getResolvedSpec() {
        return resolvedSpec;
    }

    public String getPlan() {
        return plan;
    }

    public long getSeed() {
        return seed;
    }

    public String getSpecHash() {
        return specHash;
    }

    public int getPhaseCount() {
        return phaseCount;
    }

    public int getCompletedPhases() {
        return completedPhases;
    }

    public String getIdempotencyKey() {
        return idempotencyKey;
    }

    public String getOwnerKey() {
        return ownerKey;
    }

    public String getProgress() {
        return progress;
    }

    public String getSummary() {
        return summary;
    }

    public String getVersions() {
        return versions;
    }

    public String getError() {
        return error;
    }

    public int getAttempts() {
        return attempts;
    }

    public String getPool() {
        return pool;
    }

    public int getPriority() {
        return priority;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getStartedAt() {
        return startedAt;
    }

    public Instant getFinishedAt() {
        return finishedAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    public long getRowVersion() {
        return rowVersion;
    }

    public UUID getForkedFrom() {
        return forkedFrom;
    }

    public Integer getForkedPhase() {
        return forkedPhase;
    }
}
