package org.mnemos.experiment;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One phase of an experiment: the classes it learns and, once completed, its metrics. */
@Entity
@Table(name = "phases")
public class Phase {

    @Embeddable
    public record Key(
            @Column(name = "experiment_id") UUID experimentId,
            @Column(name = "phase_index") int phaseIndex) implements Serializable {}

    @EmbeddedId
    private Key key;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    private String classes;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    private PhaseStatus status;

    private String classifier;
    private Double accuracy;

    @Column(name = "cnn_accuracy")
    private Double cnnAccuracy;

    @Column(name = "nme_accuracy")
    private Double nmeAccuracy;

    @Column(name = "old_accuracy")
    private Double oldAccuracy;

    @Column(name = "new_accuracy")
    private Double newAccuracy;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "accuracy_row")
    private String accuracyRow;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "per_class_accuracy")
    private String perClassAccuracy;

    /** What the run's parts measured in the phase: a JSON object of reports by name. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "reports")
    private String reports;

    @Column(name = "exemplar_count")
    private Integer exemplarCount;

    @Column(name = "memory_bytes")
    private Long memoryBytes;

    @Column(name = "images_per_second")
    private Double imagesPerSecond;

    @Column(name = "duration_ms")
    private Long durationMs;

    @Column(nullable = false)
    private int attempts;

    private String worker;

    /** {@code cpu} or {@code gpu:<id>}: where the last attempt ran */
    private String device;

    @Column(name = "started_at")
    private Instant startedAt;

    /** The experiment whose worker trained this phase, when a fork reused it; null for a phase trained here. */
    @Column(name = "reused_from")
    private UUID reusedFrom;

    @Column(name = "completed_at")
    private Instant completedAt;

    protected Phase() {}

    public Phase(UUID experimentId, int phaseIndex, String classes) {
        this.key = new Key(experimentId, phaseIndex);
        this.classes = classes;
        this.status = PhaseStatus.PENDING;
    }

    public void start(String worker, String device, Instant now) {
        this.status = PhaseStatus.RUNNING;
        this.worker = worker;
        this.device = device;
        this.startedAt = now;
        this.completedAt = null;
        this.attempts++;
    }

    public void complete(
            String classifier,
            double accuracy,
            double cnnAccuracy,
            Double nmeAccuracy,
            Double oldAccuracy,
            double newAccuracy,
            String accuracyRow,
            String perClassAccuracy,
            int exemplarCount,
            long memoryBytes,
            double imagesPerSecond,
            long durationMs,
            Instant now) {
        this.status = PhaseStatus.COMPLETED;
        this.classifier = classifier;
        this.accuracy = accuracy;
        this.cnnAccuracy = cnnAccuracy;
        this.nmeAccuracy = nmeAccuracy;
        this.oldAccuracy = oldAccuracy;
        this.newAccuracy = newAccuracy;
        this.accuracyRow = accuracyRow;
        this.perClassAccuracy = perClassAccuracy;
        this.exemplarCount = exemplarCount;
        this.memoryBytes = memoryBytes;
        this.imagesPerSecond = imagesPerSecond;
        this.durationMs = durationMs;
        this.completedAt = now;
    }

    /**
     * Takes over a completed phase of another run as this run's own (a fork): the same metrics,
     * reports and record of where and when it ran, and the experiment that trained it.
     */
    public void reuse(Phase trained) {
        if (trained.status != PhaseStatus.COMPLETED) {
            throw new IllegalStateException(
                    "phase " + trained.getPhaseIndex() + " of " + trained.getExperimentId() + " is not completed");
        }
        this.status = PhaseStatus.COMPLETED;
        this.classifier = trained.classifier;
        this.accuracy = trained.accuracy;
        this.cnnAccuracy = trained.cnnAccuracy;
        this.nmeAccuracy = trained.nmeAccuracy;
        this.oldAccuracy = trained.oldAccuracy;
        this.newAccuracy = trained.newAccuracy;
        this.accuracyRow = trained.accuracyRow;
        this.perClassAccuracy = trained.perClassAccuracy;
        this.reports = trained.reports;
        this.exemplarCount = trained.exemplarCount;
        this.memoryBytes = trained.memoryBytes;
        this.imagesPerSecond = trained.imagesPerSecond;
        this.durationMs = trained.durationMs;
        this.attempts = trained.attempts;
        this.worker = trained.worker;
        this.device = trained.device;
        this.startedAt = trained.startedAt;
        this.completedAt = trained.completedAt;
        this.reusedFrom = trained.reusedFrom != null ? trained.reusedFrom : trained.getExperimentId();
    }

    /** The run's parts' reports of this phase, a JSON object by report name. */
    public void recordReports(String reports) {
        this.reports = reports;
    }

    public String getReports() {
        return reports;
    }

    public void end(PhaseStatus status) {
        this.status = status;
    }

    public UUID getExperimentId() {
        return key.experimentId();
    }

    public int getPhaseIndex() {
        return key.phaseIndex();
    }

    public String getClasses() {
        return classes;
    }

    public PhaseStatus getStatus() {
        return status;
    }

    public String getClassifier() {
        return classifier;
    }

    public Double getAccuracy() {
        return accuracy;
    }

    public Double getCnnAccuracy() {
        return cnnAccuracy;
    }

    public Double getNmeAccuracy() {
        return nmeAccuracy;
    }

    public Double getOldAccuracy() {
        return oldAccuracy;
    }

    public Double getNewAccuracy() {
        return newAccuracy;
    }

    public String getAccuracyRow() {
        return accuracyRow;
    }

    public String getPerClassAccuracy() {
        return perClassAccuracy;
    }

    public Integer getExemplarCount() {
        return exemplarCount;
    }

    public Long getMemoryBytes() {
        return memoryBytes;
    }

    public Double getImagesPerSecond() {
        return imagesPerSecond;
    }

    public Long getDurationMs() {
        return durationMs;
    }

    public int getAttempts() {
        return attempts;
    }

    public String getWorker() {
        return worker;
    }

    public String getDevice() {
        return device;
    }

    public Instant getStartedAt() {
        return startedAt;
    }

    public Instant getCompletedAt() {
        return completedAt;
    }

    public UUID getReusedFrom() {
        return reusedFrom;
    }
}
