package org.mnemos.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.artifacts.ArtifactStore;
import org.mnemos.artifacts.PhaseArtifacts;
import org.mnemos.config.MnemosMetrics;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.PhaseOutcome;
import org.mnemos.engine.RunPlan;
import org.mnemos.experiment.ExperimentRepository;
import org.mnemos.experiment.ExperimentService;
import org.mnemos.experiment.PhaseStatus;
import org.mnemos.experiment.SharedPrefixes;
import org.mnemos.security.Caller;
import org.mnemos.support.TestDatabase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * Two workers on one database and one artifact store, with the real engine: the first is shut down
 * in the middle of phase 0 and hands the phase back with a checkpoint; the second resumes it from
 * that step (a {@code phase-resumed} event says which), and the phase's metrics and state are those
 * of an uninterrupted run. The checkpoint is deleted once the phase completed.
 */
@SpringBootTest(
        properties = {
            "mnemos.worker.enabled=false",
            "mnemos.worker.device=cpu",
            "mnemos.artifacts.dir=target/checkpoint-resume-artifacts"
        })
class PhaseCheckpointResumeTest {

    private static final int CHECKPOINT_STEPS = 25;

    private static final String SPEC = """
            {"name":"checkpoint-resume","seed":3,
             "dataset":{"name":"synthetic","syntheticClasses":4,"syntheticTrainPerClass":80,"syntheticTestPerClass":10,
                        "syntheticImageSize":8,"syntheticChannels":1},
             "protocol":{"initialClasses":2,"increment":2,"classOrder":"natural"},
             "model":{"backbone":"mlp","hiddenUnits":[32]},"method":{"name":"icarl"},"memory":{"perClass":4},
             "training":{"epochs":12,"batchSize":16,"optimizer":{"name":"sgd","lr":0.05,"momentum":0.9}}}""";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @MockitoBean
    org.mnemos.config.RunMemoryCheck memory;

    @Autowired
    ExperimentService service;

    @Autowired
    PhaseLedger ledger;

    @Autowired
    ExperimentRepository experiments;

    @Autowired
    CilEngine engine;

    @Autowired
    ArtifactStore artifacts;

    @Autowired
    PhaseArtifacts downloads;

    @Autowired
    MnemosMetrics metrics;

    @Autowired
    SharedPrefixes prefixes;

    @Autowired
    SchedulerClient scheduler;

    @Autowired
    JdbcTemplate jdbc;

    @TempDir
    Path dir;

    @Test
    void aPhaseReleasedOnShutdownResumesOnAnotherWorkerFromItsCheckpointAndEqualsAnUninterruptedRun() throws Exception {
        UUID id = service.submit(SPEC.getBytes(), null, Caller.ANONYMOUS)
                .experiment()
                .id();
        RunPlan plan = PhaseExecution.planOf(ledger.find(id).orElseThrow());
        PhaseRef ref = new PhaseRef(id, 0);

        // worker A shuts down as its second checkpoint is stored; it stops at the next step, where it stands saved
        AtomicReference<PhaseExecution> workerA = new AtomicReference<>();
        AtomicInteger checkpointsOfA = new AtomicInteger();
        ArtifactStore shutdownAfterTwo = new Delegating(artifacts) {
            @Override
            public ArtifactRecord store(UUID experimentId, int phaseIndex, String kind, Path source)
                    throws IOException {
                ArtifactRecord stored = super.store(experimentId, phaseIndex, kind, source);
                if (kind.equals(PhaseExecution.MID_PHASE_CHECKPOINT) && checkpointsOfA.incrementAndGet() == 2) {
                    workerA.get().beginShutdown();
                }
                return stored;
            }
        };
        workerA.set(worker(shutdownAfterTwo, dir.resolve("worker-a")));
        assertThat(workerA.get().run(ref, scheduler)).as("handed back").isTrue();
        assertThat(checkpointsOfA.get()).isEqualTo(2);
        assertThat(ledger.phase(id, 0).getStatus()).isEqualTo(PhaseStatus.PENDING);
        assertThat(artifacts.find(id, 0, PhaseExecution.MID_PHASE_CHECKPOINT)).isPresent();

        PhaseExecution workerB = worker(artifacts, dir.resolve("worker-b"));
        assertThat(workerB.run(ref, scheduler)).as("completed, not handed back").isFalse();
        assertThat(ledger.phase(id, 0).getStatus()).isEqualTo(PhaseStatus.COMPLETED);

        List<Map<String, Object>> resumed = jdbc.queryForList(
                "select (data->>'stage')::int as stage, (data->>'step')::bigint as step from events"
                        + " where experiment_id = ? and type = 'phase-resumed'",
                id);
        assertThat(resumed).containsExactly(Map.of("stage", 0, "step", 2L * CHECKPOINT_STEPS));
        assertThat(artifacts.find(id, 0, PhaseExecution.MID_PHASE_CHECKPOINT))
                .as("deleted once the phase completed")
                .isEmpty();

        Path uninterrupted = Files.createDirectories(dir.resolve("uninterrupted"));
        PhaseOutcome expected = engine.runPhase(plan, 0, null, uninterrupted, Device.cpu(), p -> {}, () -> false);
        Double accuracy = jdbc.queryForObject(
                "select accuracy from phases where experiment_id = ? and phase_index = 0", Double.class, id);
        assertThat(accuracy).isEqualTo(expected.metrics().accuracy());
        Path stored = dir.resolve("stored");
        artifacts.extractTo(artifacts.find(id, 0, ArtifactStore.STATE).orElseThrow(), stored);
        assertThat(digest(stored)).isEqualTo(digest(uninterrupted));

        // phase 1 stays queued for a worker this context does not run: the run is cancelled, not deleted
        service.cancel(id);
    }

    private PhaseExecution worker(ArtifactStore store, Path workDir) {
        WorkerProperties properties = new WorkerProperties(true, 1, "cpu", 1, 4, 3, 1, 1, workDir, null);
        return new PhaseExecution(
                ledger,
                experiments,
                engine,
                store,
                downloads,
                properties,
                metrics,
                prefixes,
                new CheckpointProperties(Duration.ZERO, CHECKPOINT_STEPS));
    }

    private static String digest(Path stateDir) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> files = Files.walk(stateDir)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                sha.update(stateDir.relativize(file).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(file));
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The real store, passed through. */
    private static class Delegating implements ArtifactStore {
        private final ArtifactStore store;

        Delegating(ArtifactStore store) {
            this.store = store;
        }

        @Override
        public ArtifactRecord store(UUID experimentId, int phaseIndex, String kind, Path source) throws IOException {
            return store.store(experimentId, phaseIndex, kind, source);
        }

        @Override
        public Optional<ArtifactRecord> find(UUID experimentId, int phaseIndex, String kind) {
            return store.find(experimentId, phaseIndex, kind);
        }

        @Override
        public InputStream open(ArtifactRecord artifact) throws IOException {
            return store.open(artifact);
        }

        @Override
        public void extractTo(ArtifactRecord artifact, Path targetDir) throws IOException {
            store.extractTo(artifact, targetDir);
        }

        @Override
        public void share(UUID from, UUID to, int lastPhase) throws IOException {
            store.share(from, to, lastPhase);
        }

        @Override
        public void delete(UUID experimentId, int phaseIndex, String kind) throws IOException {
            store.delete(experimentId, phaseIndex, kind);
        }

        @Override
        public void deleteAll(UUID experimentId) throws IOException {
            store.deleteAll(experimentId);
        }
    }
}
