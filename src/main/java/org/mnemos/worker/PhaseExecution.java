package org.mnemos.worker;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.ExecutionContext;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.mnemos.artifacts.ArtifactStore;
import org.mnemos.artifacts.PhaseArtifacts;
import org.mnemos.config.MnemosMetrics;
import org.mnemos.engine.CancellationSignal;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.MidPhaseCheckpoints;
import org.mnemos.engine.PhaseCancelledException;
import org.mnemos.engine.PhaseOutcome;
import org.mnemos.engine.RunPlan;
import org.mnemos.engine.TrainingDivergedException;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.experiment.Experiment;
import org.mnemos.experiment.ExperimentRepository;
import org.mnemos.experiment.ExperimentStatus;
import org.mnemos.experiment.ExperimentViews;
import org.mnemos.experiment.Phase;
import org.mnemos.experiment.PhaseStatus;
import org.mnemos.experiment.SharedPrefixes;
import org.mnemos.experiment.SpecReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs one {@code run-phase} execution: restores the previous phase's state, trains the phase,
 * and records metrics, artifacts and the next phase's execution in one transaction. A phase that
 * is already COMPLETED (the process died after recording it) is never trained again.
 */
@Component
public class PhaseExecution {

    private static final Logger log = LoggerFactory.getLogger(PhaseExecution.class);
    private static final JsonMapper JSON = SpecReader.json();
    private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);
    private static final Duration CANCEL_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final String STATE_ARTIFACT = ArtifactStore.STATE;
    /** The artifact kind of a running phase's last mid-phase checkpoint, deleted when the phase completes. */
    static final String MID_PHASE_CHECKPOINT = "mid-phase-checkpoint";
    /** Puts the execution back in the queue, unpicked and due at its run's place, for any worker of its pool to take. */
    private static final CompletionHandler<PhaseRef> HAND_BACK =
            (complete, operations) -> operations.reschedule(complete, complete.getExecution().executionTime);

    private final PhaseLedger ledger;
    private final ExperimentRepository experiments;
    private final CilEngine engine;
    private final ArtifactStore artifacts;
    private final PhaseArtifacts downloads;
    private final WorkerProperties properties;
    private final MnemosMetrics metrics;
    private final SharedPrefixes prefixes;
    private final CheckpointProperties checkpoints;
    private final String workerName;
    private volatile WorkerDevices devices;
    private volatile boolean shuttingDown;
    /** Set when the worker ends by itself (mnemos.worker.max-phases, exit-when-idle); null otherwise. */
    private volatile JobMode jobMode;

    public PhaseExecution(
            PhaseLedger ledger,
            ExperimentRepository experiments,
            CilEngine engine,
            ArtifactStore artifacts,
            PhaseArtifacts downloads,
            WorkerProperties properties,
            MnemosMetrics metrics,
            SharedPrefixes prefixes,
            CheckpointProperties checkpoints) {
        this.ledger = ledger;
        this.experiments = experiments;
        this.engine = engine;
        this.artifacts = artifacts;
        this.downloads = downloads;
        this.properties = properties;
        this.metrics = metrics;
        this.prefixes = prefixes;
        this.checkpoints = checkpoints;
        this.workerName = hostAndPid();
    }

    public String workerName() {
        return workerName;
    }

    private static String hostAndPid() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown-host";
        }
        return host + "/" + ManagementFactory.getRuntimeMXBean().getPid();
    }

    /**
     * Makes running phases stop at their next training step and hand their executions back, so
     * that another worker starts them at once instead of after dead-execution detection.
     */
    void beginShutdown() {
        shuttingDown = true;
    }

    /** Makes this worker end by itself as {@code job} decides. */
    void useJobMode(JobMode job) {
        this.jobMode = job;
    }

    JobMode jobMode() {
        return jobMode;
    }

    public CompletionHandler<PhaseRef> execute(TaskInstance<PhaseRef> instance, ExecutionContext context) {
        PhaseRef ref = instance.getData();
        JobMode job = jobMode;
        if (job != null && !job.enter()) {
            return HAND_BACK;
        }
        MDC.put("experimentId", ref.experimentId().toString());
        try {
            SharedPrefixes.Decision shared = ledger.inTransaction(() -> {
                SharedPrefixes.Decision decision = prefixes.settle(ref.experimentId(), ref.phase());
                if (decision instanceof SharedPrefixes.Reused reused) {
                    SchedulerConfiguration.schedule(context.getSchedulerClient(), reused.follower(), reused.next());
                }
                return decision;
            });
            if (shared instanceof SharedPrefixes.Wait wait) {
                log.debug(
                        "Phase {} waits for the group's leader {} to complete the phases it shares",
                        ref.phase(),
                        wait.leader());
                return (complete, operations) ->
                        operations.reschedule(complete, Instant.now().plusSeconds(properties.pollingSeconds()));
            }
            if (shared instanceof SharedPrefixes.Reused) {
                return new CompletionHandler.OnCompleteRemove<>();
            }
            boolean handedBack = run(ref, context.getSchedulerClient());
            return handedBack ? HAND_BACK : new CompletionHandler.OnCompleteRemove<>();
        } finally {
            MDC.remove("experimentId");
            if (job != null) {
                job.leave();
            }
        }
    }

    /**
     * Runs the phase; returns whether it goes back to the queue for another worker: interrupted by
     * this worker's shutdown, or refused because the worker ran its {@code max-phases}.
     */
    boolean run(PhaseRef ref, SchedulerClient scheduler) {
        UUID id = ref.experimentId();
        int index = ref.phase();
        Experiment experiment = ledger.find(id).orElse(null);
        if (experiment == null) {
            log.info("Phase {} dropped: the experiment was deleted", index);
            return false;
        }
        switch (experiment.getStatus()) {
            case CANCELLED, SUCCEEDED, FAILED -> {
                log.info("Phase {} dropped: the experiment is {}", index, experiment.getStatus());
                return false;
            }
            case CANCELLING -> {
                ledger.cancel(id, index);
                return false;
            }
            default -> {}
        }
        RunPlan plan = planOf(experiment);
        Phase phase = ledger.phase(id, index);
        if (phase.getStatus() == PhaseStatus.COMPLETED) {
            log.info("Phase {} was completed before this execution; moving on", index);
            deleteCheckpoint(id, index);
            ledger.inTransaction(() -> {
                advance(experiment, index, plan.phaseCount(), scheduler);
                return null;
            });
            return false;
        }
        JobMode job = jobMode;
        if (job != null && !job.claimPhase()) {
            log.info("Phase {} handed back: this worker ran its mnemos.worker.max-phases and is ending", index);
            return true;
        }
        try (WorkerDevices.Lease lease = devices().acquire()) {
            String deviceName = WorkerDevices.name(lease.device());
            switch (ledger.start(id, index, workerName, deviceName, properties.maxAttempts())) {
                case EXHAUSTED -> {
                    log.error(
                            "Phase {} used up its {} attempts without finishing; the experiment is FAILED",
                            index,
                            properties.maxAttempts());
                    return false;
                }
                case DROPPED -> {
                    log.info("Phase {} dropped: the experiment was cancelled, deleted or ended meanwhile", index);
                    return false;
                }
                case RUN -> {}
            }
            log.info("Phase {} of {} started on {} ({})", index, plan.phaseCount(), workerName, deviceName);
            return train(id, index, plan, lease.device(), scheduler);
        }
    }

    /** Trains a started phase on its device; returns whether this worker's shutdown handed it back. */
    private boolean train(UUID id, int index, RunPlan plan, Device device, SchedulerClient scheduler) {
        Path work = null;
        try {
            Files.createDirectories(properties.workDir());
            work = Files.createTempDirectory(properties.workDir(), id + "-" + index + "-");
            Path previous = index == 0 ? null : restoreState(id, index - 1, work.resolve("previous"));
            Path stateDir = Files.createDirectories(work.resolve("state"));
            ProgressReporter progress = new ProgressReporter(
                    id, index, plan.phaseCount(), ledger::progress, PROGRESS_INTERVAL, System::nanoTime);
            long started = System.nanoTime();
            PhaseOutcome outcome = engine.runPhase(
                    plan,
                    index,
                    previous,
                    stateDir,
                    device,
                    progress,
                    cancellation(id),
                    new StoredCheckpoints(id, index, Files.createDirectories(work.resolve("checkpoints"))));
            long durationMs = (System.nanoTime() - started) / 1_000_000;
            ExperimentStatus status = ledger.complete(id, outcome.metrics(), durationMs, () -> {
                storeArtifacts(id, index, plan, outcome.stateDir());
                Experiment current = experiments.findById(id).orElseThrow();
                if (current.getStatus() == ExperimentStatus.RUNNING) {
                    advance(current, index, plan.phaseCount(), scheduler);
                }
            });
            log.info(
                    "Phase {} completed in {} ms: accuracy {}",
                    index,
                    durationMs,
                    outcome.metrics().accuracy());
            metrics.recordPhase(Duration.ofMillis(durationMs), outcome.metrics().imagesPerSecond());
            deleteCheckpoint(id, index);
            if (status == ExperimentStatus.CANCELLING) {
                ledger.cancel(id, index);
            }
        } catch (PhaseCancelledException e) {
            if (shuttingDown && ledger.release(id, index)) {
                log.info("Phase {} stopped by this worker's shutdown and handed back for another worker", index);
                return true;
            }
            log.info("Phase {} cancelled", index);
            ledger.cancel(id, index);
        } catch (TrainingDivergedException e) {
            log.error("Phase {} diverged; the experiment is FAILED without a retry: {}", index, e.getMessage());
            ledger.fail(id, index, e.getMessage());
        } catch (Exception | OutOfMemoryError e) {
            // the phase's arrays are unreachable once its frames are gone, so the worker carries on after a heap OOM
            handleFailure(id, index, e);
        } finally {
            deleteQuietly(work);
        }
        return false;
    }

    /** Queues the phase after {@code index} or, after the last, ends the run SUCCEEDED. */
    private void advance(Experiment experiment, int index, int phaseCount, SchedulerClient scheduler) {
        if (index + 1 < phaseCount) {
            SchedulerConfiguration.schedule(scheduler, experiment, index + 1);
        } else {
            ledger.succeed(experiment.getId());
            log.info("Experiment succeeded");
        }
    }

    private void handleFailure(UUID id, int index, Throwable e) {
        String error = describeFailure(index, e);
        int failed = ledger.recordFailure(id, index);
        if (failed < properties.maxAttempts()) {
            log.warn(
                    "Phase {} failed (attempt {} of {}), will retry: {}",
                    index,
                    failed,
                    properties.maxAttempts(),
                    error,
                    e);
            throw new PhaseFailedException(error, e);
        }
        log.error("Phase {} failed {} times; the experiment is FAILED: {}", index, failed, error, e);
        ledger.fail(id, index, error);
    }

    /** The run's error: allocation failures say which memory ran out and what to change. */
    static String describeFailure(int index, Throwable e) {
        if (e instanceof OutOfMemoryError) {
            return "phase " + index + " ran out of Java heap (" + e.getMessage() + "); lower training.batchSize"
                    + " or give the worker a larger -Xmx";
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage() == null ? "" : cause.getMessage();
            // PyTorch's allocators: "CUDA out of memory. Tried to allocate ..." and "DefaultCPUAllocator: not enough
            // memory: ..."
            if (cause instanceof EngineException
                    && (message.contains("out of memory") || message.contains("not enough memory"))) {
                String memory = message.contains("CUDA") ? "GPU memory" : "native memory";
                return "phase " + index + " ran out of " + memory + ": "
                        + message.lines().findFirst().orElse("") + "; lower training.batchSize";
            }
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private void storeArtifacts(UUID id, int index, RunPlan plan, Path stateDir) {
        try {
            downloads.storeDownloads(id, index, plan, stateDir);
            artifacts.store(id, index, STATE_ARTIFACT, stateDir);
        } catch (IOException e) {
            // the reason (e.g. "No space left on device") belongs in the run's error; the file's path does not
            String reason = e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null
                    ? fs.getReason()
                    : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new UncheckedIOException("cannot store the artifacts of phase " + index + ": " + reason, e);
        }
    }

    /** A completed phase never runs again: its mid-phase checkpoint only takes room. */
    private void deleteCheckpoint(UUID id, int index) {
        try {
            artifacts.delete(id, index, MID_PHASE_CHECKPOINT);
        } catch (IOException | RuntimeException e) {
            log.warn("Could not delete the mid-phase checkpoint of phase {}: {}", index, e.toString());
        }
    }

    /**
     * A phase's mid-phase checkpoints in the artifact store, which every worker reaches: each
     * replaces the last ({@link #MID_PHASE_CHECKPOINT}); a phase run again, here or on another
     * worker, resumes from it.
     */
    private final class StoredCheckpoints implements MidPhaseCheckpoints {
        private final UUID id;
        private final int index;
        private final Path dir;

        StoredCheckpoints(UUID id, int index, Path dir) {
            this.id = id;
            this.index = index;
            this.dir = dir;
        }

        @Override
        public CheckpointInterval interval() {
            return checkpoints.interval();
        }

        @Override
        public Path latest() throws IOException {
            Optional<ArtifactStore.ArtifactRecord> stored = artifacts.find(id, index, MID_PHASE_CHECKPOINT);
            if (stored.isEmpty()) {
                return null;
            }
            Path local = dir.resolve("resume.ckpt");
            try (InputStream in = artifacts.open(stored.get())) {
                Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
            }
            return local;
        }

        @Override
        public Path newFile() {
            return dir.resolve("latest.ckpt");
        }

        @Override
        public void save(Path file) throws IOException {
            long start = System.nanoTime();
            artifacts.store(id, index, MID_PHASE_CHECKPOINT, file);
            Files.deleteIfExists(file);
            log.debug("Phase {} checkpoint stored in {} ms", index, (System.nanoTime() - start) / 1_000_000);
        }

        @Override
        public void resumed(int stage, String stageName, long step) {
            log.info("Phase {} resumed from its checkpoint: stage {} ({}) at step {}", index, stage, stageName, step);
            ledger.resumed(id, index, stage, stageName, step, workerName);
        }
    }

    private Path restoreState(UUID id, int phase, Path target) throws IOException {
        ArtifactStore.ArtifactRecord state = artifacts
                .find(id, phase, STATE_ARTIFACT)
                .orElseThrow(() -> new IllegalStateException("the state of phase " + phase + " is missing"));
        artifacts.extractTo(state, target);
        return target;
    }

    /** Polls the run's status at most once a second; a deleted run counts as cancelled, and so does this worker's shutdown. */
    private CancellationSignal cancellation(UUID id) {
        return new CancellationSignal() {
            private long nextPoll;
            private boolean cancelled;

            @Override
            public boolean isCancelled() {
                if (shuttingDown) {
                    return true;
                }
                long now = System.nanoTime();
                if (!cancelled && now - nextPoll >= 0) {
                    nextPoll = now + CANCEL_POLL_INTERVAL.toNanos();
                    cancelled = experiments
                            .findStatus(id)
                            .map(s -> s == ExperimentStatus.CANCELLING || s == ExperimentStatus.CANCELLED)
                            .orElse(true);
                }
                return cancelled;
            }
        };
    }

    static RunPlan planOf(Experiment experiment) {
        ExperimentSpec spec = SpecReader.readStored(experiment.getResolvedSpec());
        ExperimentViews.Plan plan = JSON.readValue(experiment.getPlan(), ExperimentViews.Plan.class);
        return new RunPlan(spec, plan.classOrder(), plan.phases(), plan.classNames());
    }

    /** This worker's devices, resolved on first use so that an API-only process never asks the engine for GPUs. */
    WorkerDevices devices() {
        WorkerDevices current = devices;
        if (current == null) {
            synchronized (this) {
                current = devices;
                if (current == null) {
                    current = properties.resolveDevices();
                    devices = current;
                }
            }
        }
        return current;
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            log.warn("Could not delete the work directory {}: {}", dir, e.toString());
        }
    }

    /** Makes db-scheduler retry the execution (with backoff); the cause is already logged. */
    static final class PhaseFailedException extends RuntimeException {
        PhaseFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
