package org.mnemos.worker;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.metrics.RunSummary;
import org.mnemos.events.EventPublisher;
import org.mnemos.experiment.Experiment;
import org.mnemos.experiment.ExperimentRepository;
import org.mnemos.experiment.ExperimentStatus;
import org.mnemos.experiment.ExperimentViews;
import org.mnemos.experiment.Phase;
import org.mnemos.experiment.PhaseRepository;
import org.mnemos.experiment.PhaseStatus;
import org.mnemos.experiment.SpecReader;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker's state changes of experiments and phases, each one transaction with its event. A
 * concurrent API write (cancel) bumps the row version; the change is then re-read and re-applied.
 */
@Component
public class PhaseLedger {

    private static final JsonMapper JSON = SpecReader.json();
    private static final int OPTIMISTIC_RETRIES = 5;

    private final ExperimentRepository experiments;
    private final PhaseRepository phases;
    private final EventPublisher events;
    private final TransactionTemplate tx;

    public PhaseLedger(ExperimentRepository experiments, PhaseRepository phases, EventPublisher events, TransactionTemplate tx) {
        this.experiments = experiments;
        this.phases = phases;
        this.events = events;
        this.tx = tx;
    }

    /** Runs {@code work} in a transaction, again from a fresh read when a concurrent writer won. */
    <T> T inTransaction(Supplier<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return tx.execute(status -> work.get());
            } catch (OptimisticLockingFailureException e) {
                if (attempt >= OPTIMISTIC_RETRIES) {
                    throw e;
                }
            }
        }
    }

    Optional<Experiment> find(UUID id) {
        return experiments.findById(id);
    }

    Phase phase(UUID id, int index) {
        return phases.findById(new Phase.Key(id, index))
                .orElseThrow(() -> new IllegalStateException("experiment " + id + " has no phase " + index));
    }

    /** Marks the run and the phase RUNNING and counts the phase's attempt. */
    void start(UUID id, int index, String worker) {
        inTransaction(() -> {
            Experiment experiment = experiments.findById(id).orElseThrow();
            Phase phase = phase(id, index);
            Instant now = Instant.now();
            experiment.transition(ExperimentStatus.RUNNING, now);
            phase.start(worker, now);
            experiments.flush();
            events.publish(id, "phase-started", Map.of("phase", index, "classes", JSON.readTree(phase.getClasses()),
                    "attempt", phase.getAttempts()));
            return null;
        });
    }

    void progress(UUID id, ExperimentViews.Progress progress) {
        inTransaction(() -> {
            experiments.updateProgress(id, JSON.writeValueAsString(progress));
            events.publish(id, "progress", progress);
            return null;
        });
    }

    /**
     * Records a completed phase's metrics and the run's summary so far. The caller stores the
     * artifacts and queues what comes next inside the same transaction ({@code alsoInTransaction}).
     *
     * @return the experiment's status after the phase (RUNNING, CANCELLING, ...)
     */
    ExperimentStatus complete(UUID id, PhaseMetrics metrics, long durationMs, Runnable alsoInTransaction) {
        return inTransaction(() -> {
            Experiment experiment = experiments.findById(id).orElseThrow();
            Phase phase = phase(id, metrics.phase());
            Instant now = Instant.now();
            Map<String, Double> perClass = new LinkedHashMap<>();
            metrics.perClassAccuracy().forEach((label, accuracy) -> perClass.put(String.valueOf(label), accuracy));
            phase.complete(metrics.classifier(), metrics.accuracy(), metrics.cnnAccuracy(), metrics.nmeAccuracy(),
                    metrics.oldAccuracy(), metrics.newAccuracy(), JSON.writeValueAsString(metrics.accuracyRow()),
                    JSON.writeValueAsString(perClass), metrics.exemplarCount(), metrics.memoryBytes(),
                    metrics.imagesPerSecond(), durationMs, now);
            if (metrics.aggregationWeights() != null) {
                phase.recordAggregationWeights(JSON.writeValueAsString(metrics.aggregationWeights()));
            }
            phases.flush();
            List<Phase> done = phases.findByExperiment(id).stream()
                    .filter(p -> p.getStatus() == PhaseStatus.COMPLETED).toList();
            RunSummary summary = RunSummary.of(
                    done.stream().map(Phase::getAccuracy).toList(),
                    done.stream().map(p -> accuracyRow(p.getAccuracyRow())).toList());
            experiment.phaseCompleted(done.size(), JSON.writeValueAsString(summary), now);
            experiment.resetAttempts();
            experiments.flush();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("phase", metrics.phase());
            data.put("metrics", metrics);
            data.put("summary", summary);
            data.put("durationMs", durationMs);
            events.publish(id, "phase-completed", data);
            alsoInTransaction.run();
            return experiment.getStatus();
        });
    }

    private static List<Double> accuracyRow(String json) {
        return JSON.readValue(json, JSON.getTypeFactory().constructCollectionType(List.class, Double.class));
    }

    void succeed(UUID id) {
        inTransaction(() -> {
            Experiment experiment = experiments.findById(id).orElseThrow();
            experiment.transition(ExperimentStatus.SUCCEEDED, Instant.now());
            experiments.flush();
            events.publish(id, "experiment-succeeded", Map.of("summary", JSON.readTree(experiment.getSummary())));
            return null;
        });
    }

    /** Ends the run as CANCELLED; the phase that was running goes back to PENDING for a resume. */
    void cancel(UUID id, int index) {
        inTransaction(() -> {
            Experiment experiment = experiments.findById(id).orElseThrow();
            Phase phase = phase(id, index);
            if (phase.getStatus() != PhaseStatus.COMPLETED) {
                phase.end(PhaseStatus.PENDING);
            }
            experiment.transition(ExperimentStatus.CANCELLED, Instant.now());
            experiments.flush();
            events.publish(id, "experiment-cancelled", Map.of("phase", index));
            return null;
        });
    }

    /** Counts a failed attempt; returns how many attempts of this phase have failed so far. */
    int recordFailure(UUID id, int index) {
        return inTransaction(() -> {
            Experiment experiment = experiments.findById(id).orElseThrow();
            int failed = experiment.countFailedAttempt();
            phase(id, index).end(PhaseStatus.PENDING);
            experiments.flush();
            return failed;
        });
    }

    void fail(UUID id, int index, String error) {
        inTransaction(() -> {
            Experiment experiment = experiments.findById(id).orElseThrow();
            phase(id, index).end(PhaseStatus.FAILED);
            experiment.fail(error, Instant.now());
            experiments.flush();
            events.publish(id, "experiment-failed", Map.of("phase", index, "error", error));
            return null;
        });
    }
}
