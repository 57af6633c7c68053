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
import org.mnemos.events.EventTypes;
import org.mnemos.experiment.Experiment;
import org.mnemos.experiment.ExperimentRepository;
import org.mnemos.experiment.ExperimentStatus;
import org.mnemos.experiment.ExperimentViews;
import org.mnemos.experiment.Phase;
import org.mnemos.experiment.PhaseRepository;
import org.mnemos.experiment.PhaseStatus;
import org.mnemos.experiment.RunSummaries;
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

    public PhaseLedger(
            ExperimentRepository experiments, PhaseRepository phases, EventPublisher events, TransactionTemplate tx) {
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

    /**
     * Marks the run and the phase RUNNING and persists the attempt before the phase trains. When
     * every attempt is already used, the last one ended without recording its end (it took its
     * worker process down: killed, crashed, out of memory), so the run is FAILED instead of
     * running a poison phase forever.
     *
     * The run's status is read again in this transaction: a cancel that committed after the
     * worker's first look must not be overwritten by RUNNING (the run would then train to its end).
     *
     * @return whether the phase may run
     */
    Start start(UUID id, int index, String worker, String device, int maxAttempts) {
        return inTransaction(() -> {
            Experiment experiment = experiments.findById(id).orElse(null);
            if (experiment == null) {
                return Start.DROPPED;
            }
            switch (experiment.getStatus()) {
                case CANCELLED, SUCCEEDED, FAILED -> {
                    return Start.DROPPED;
                }
                case CANCELLING -> {
                    endCancelled(experiment, phase(id, index));
                    return Start.DROPPED;
                }
                default -> {}
            }
            Phase phase = phase(id, index);
            Instant now = Instant.now();
            if (experiment.getAttempts() >= maxAttempts) {
                String error = "phase " + index + " did not finish in " + maxAttempts + " attempts;"
                        + " the last one ended the worker process (killed, crashed or out of memory)";
                phase.end(PhaseStatus.FAILED);
                experiment.fail(error, now);
                experiments.flush();
                events.publish(id, "experiment-failed", Map.of("phase", index, "error", error));
                return Start.EXHAUSTED;
            }
            experiment.startAttempt();
            experiment.transition(ExperimentStatus.RUNNING, now);
            phase.start(worker, device, now);
            experiments.flush();
            events.publish(
                    id,
                    "phase-started",
                    Map.of(
                            "phase",
                            index,
                            "classes",
                            JSON.readTree(phase.getClasses()),
                            "attempt",
                            phase.getAttempts(),
                            "device",
                            device,
                            "worker",
                            worker));
            return Start.RUN;
        });
    }

    /** What {@link #start} decided: train, the attempts are used up (the run FAILED), or the run ended meanwhile. */
    enum Start {
        RUN,
        EXHAUSTED,
        DROPPED
    }

    /** A phase that resumed from its mid-phase checkpoint says from where (the {@code phase-resumed} event). */
    void resumed(UUID id, int index, int stage, String stageName, long step, String worker) {
        inTransaction(() -> {
            events.publish(
                    id,
                    EventTypes.PHASE_RESUMED,
                    Map.of("phase", index, "stage", stage, "stageName", stageName, "step", step, "worker", worker));
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
            phase.complete(
                    metrics.classifier(),
                    metrics.accuracy(),
                    metrics.cnnAccuracy(),
                    metrics.nmeAccuracy(),
                    metrics.oldAccuracy(),
                    metrics.newAccuracy(),
                    JSON.writeValueAsString(metrics.accuracyRow()),
                    JSON.writeValueAsString(perClass),
                    metrics.exemplarCount(),
                    metrics.memoryBytes(),
                    metrics.imagesPerSecond(),
                    durationMs,
                    now);
            if (!metrics.reports().isEmpty()) {
                phase.recordReports(JSON.writeValueAsString(metrics.reports()));
            }
            phases.flush();
            List<Phase> done = phases.findByExperiment(id).stream()
                    .filter(p -> p.getStatus() == PhaseStatus.COMPLETED)
                    .toList();
            RunSummary summary = RunSummaries.of(done);
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
            endCancelled(experiments.findById(id).orElseThrow(), phase(id, index));
            return null;
        });
    }

    private void endCancelled(Experiment experiment, Phase phase) {
        if (phase.getStatus() != PhaseStatus.COMPLETED) {
            phase.end(PhaseStatus.PENDING);
        }
        experiment.transition(ExperimentStatus.CANCELLED, Instant.now());
        experiments.flush();
        events.publish(experiment.getId(), "experiment-cancelled", Map.of("phase", phase.getPhaseIndex()));
    }

    /**
     * Hands a phase interrupted by its worker's shutdown back to the queue: the phase is PENDING,
     * the run QUEUED, and the attempt does not count against the phase's attempts.
     *
     * @return false when the run is being cancelled or was deleted meanwhile (then it is not requeued)
     */
    boolean release(UUID id, int index) {
        return inTransaction(() -> {
            Experiment experiment = experiments.findById(id).orElse(null);
            if (experiment == null || experiment.getStatus() != ExperimentStatus.RUNNING) {
                return false;
            }
            phase(id, index).end(PhaseStatus.PENDING);
            experiment.releaseAttempt();
            experiment.transition(ExperimentStatus.QUEUED, Instant.now());
            experiments.flush();
            return true;
        });
    }

    /** Ends a failed attempt for a retry; returns how many attempts of this phase have started so far. */
    int recordFailure(UUID id, int index) {
        return inTransaction(() -> {
            Experiment experiment = experiments.findById(id).orElseThrow();
            phase(id, index).end(PhaseStatus.PENDING);
            experiments.flush();
            return experiment.getAttempts();
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
