package org.mnemos.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mockingDetails;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mnemos.artifacts.ArtifactStore;
import org.mnemos.artifacts.PhaseArtifacts;
import org.mnemos.engine.CancellationSignal;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.Datasets;
import org.mnemos.engine.PhaseCancelledException;
import org.mnemos.engine.PhaseOutcome;
import org.mnemos.engine.RunPlan;
import org.mnemos.engine.TrainingListener;
import org.mnemos.engine.TrainingProgress;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.events.EventPublisher;
import org.mnemos.experiment.ExperimentService;
import org.mnemos.experiment.ExperimentStatus;
import org.mnemos.experiment.ExperimentViews;
import org.mnemos.experiment.PhaseStatus;
import org.mnemos.security.Caller;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * The service against a real PostgreSQL (Flyway schema, JPA entities, db-scheduler) with the engine
 * and the artifact/event services as test doubles: phases run in order, each exactly once, with
 * metrics, summary and events recorded; failures are retried then FAILED; cancel and resume work.
 */
@SpringBootTest(
        properties = {
            "mnemos.worker.heartbeat-seconds=1",
            "mnemos.worker.polling-seconds=1",
            "mnemos.worker.retry-backoff-seconds=1",
            "mnemos.worker.max-attempts=2",
            "mnemos.worker.device=cpu",
            "mnemos.limits.max-concurrent-runs-per-key=100"
        })
class ExperimentLifecycleTest {

    private static final String SPEC = """
            {"name":"lifecycle","dataset":{"name":"mnist"},
             "protocol":{"initialClasses":4,"increment":3,"classOrder":"natural"},
             "model":{"backbone":"mlp","hiddenUnits":[8]},"method":{"name":"replay"},
             "memory":{"perClass":5},"training":{"iterations":3,"batchSize":4,"optimizer":{"name":"adam","lr":0.01}}}""";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        org.mnemos.support.TestDatabase.register(registry);
    }

    @Autowired
    ExperimentService service;

    @Autowired
    JdbcTemplate jdbc;

    @MockitoBean
    CilEngine engine;

    @MockitoBean
    Datasets datasets;

    @MockitoBean
    org.mnemos.config.RunMemoryCheck memory;

    @MockitoBean
    EventPublisher events;

    @MockitoBean
    ArtifactStore artifacts;

    @MockitoBean
    PhaseArtifacts downloads;

    /** What the engine double does; tests swap it instead of re-stubbing a mock that worker threads call. */
    private volatile org.mockito.stubbing.Answer<PhaseOutcome> engineBehaviour = call -> {
        throw new AssertionError("no engine behaviour set");
    };

    @BeforeEach
    void doubles() throws IOException {
        when(engine.plan(any())).thenAnswer(call -> plan(call.getArgument(0)));
        when(engine.runPhase(any(), anyInt(), any(), any(), any(), any(), any(), any()))
                .thenAnswer(call -> engineBehaviour.answer(call));
        when(artifacts.find(any(), anyInt(), eq("state")))
                .thenAnswer(call -> Optional.of(new ArtifactStore.ArtifactRecord(
                        call.getArgument(0), call.getArgument(1), "state", "x", 1, "0")));
        org.mockito.Mockito.doAnswer(call -> Files.createDirectories(call.getArgument(1)))
                .when(artifacts)
                .extractTo(any(), any());
    }

    @org.junit.jupiter.api.AfterEach
    void noRunLeftActive() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (jdbc.queryForObject(
                        "select count(*) from experiments where name in ('lifecycle', 'other') and status in ('QUEUED','RUNNING','CANCELLING')",
                        Integer.class)
                > 0) {
            assertThat(System.nanoTime()).as("runs still active after the test").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static RunPlan plan(ExperimentSpec spec) {
        return new RunPlan(
                spec,
                List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
                List.of(List.of(0, 1, 2, 3), List.of(4, 5, 6), List.of(7, 8, 9)),
                List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
    }

    private void engineSucceeds() {
        engineBehaviour = call -> {
            int phase = call.getArgument(1);
            Path previous = call.getArgument(2);
            assertThat(previous == null).isEqualTo(phase == 0);
            TrainingListener listener = call.getArgument(5);
            listener.onProgress(new TrainingProgress(phase, "train", 1, 1, 3, 3, 0.5, 100));
            Path state = call.getArgument(3);
            Files.writeString(state.resolve("model.bin"), "phase " + phase);
            return new PhaseOutcome(metrics(phase), state);
        };
    }

    private static PhaseMetrics metrics(int phase) {
        List<Double> row = new java.util.ArrayList<>();
        for (int i = 0; i <= phase; i++) {
            row.add(0.9 - 0.1 * (phase - i));
        }
        PhaseMetrics metrics = new PhaseMetrics(
                phase,
                List.of(phase),
                "cnn",
                0.9 - 0.05 * phase,
                0.9 - 0.05 * phase,
                null,
                phase == 0 ? null : 0.8,
                0.9,
                row,
                Map.of(phase, 0.9),
                5 * (phase + 1),
                100L * (phase + 1),
                10,
                500.0);
        return phase == 0
                ? metrics
                : metrics.withReport(new org.mnemos.engine.metrics.MnemonicsMetrics(
                        "bilevel",
                        5,
                        12,
                        1.5,
                        40.0,
                        3.25,
                        8.0,
                        1.0 + phase,
                        0.5 + phase,
                        1.1 + phase,
                        0.6 + phase,
                        true,
                        0));
    }

    private UUID submit() {
        return service.submit(SPEC.getBytes(), null, Caller.ANONYMOUS)
                .experiment()
                .id();
    }

    private ExperimentViews.Experiment awaitStatus(UUID id, ExperimentStatus... statuses) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            ExperimentViews.Experiment experiment = service.get(id);
            if (List.of(statuses).contains(experiment.status())) {
                return experiment;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("experiment " + id + " did not reach " + List.of(statuses) + ": " + service.get(id));
    }

    private List<String> eventTypes(UUID id) {
        return mockingDetails(events).getInvocations().stream()
                .filter(i -> i.getMethod().getName().equals("publish")
                        && i.getArgument(0).equals(id))
                .map(i -> (String) i.getArgument(1))
                .toList();
    }

    @Test
    void runsEveryPhaseOnceAndRecordsMetricsSummaryAndEvents() throws Exception {
        engineSucceeds();
        UUID id = submit();
        ExperimentViews.Experiment done = awaitStatus(id, ExperimentStatus.SUCCEEDED, ExperimentStatus.FAILED);

        assertThat(done.status()).isEqualTo(ExperimentStatus.SUCCEEDED);
        assertThat(done.completedPhases()).isEqualTo(3);
        assertThat(done.plan().phases()).hasSize(3);
        assertThat(done.specHash()).hasSize(64);
        assertThat(done.versions()).containsKeys("mnemos", "djl", "pytorch", "java");
        assertThat(done.summary().lastAccuracy()).isEqualTo(0.8, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(done.summary().averageIncrementalAccuracy())
                .isEqualTo(0.85, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(done.startedAt()).isNotNull();
        assertThat(done.finishedAt()).isNotNull();
        assertThat(done.progress().phases()).isEqualTo(3);

        List<ExperimentViews.PhaseView> phases = service.phases(id);
        assertThat(phases).extracting(ExperimentViews.PhaseView::status).containsOnly(PhaseStatus.COMPLETED);
        assertThat(phases).extracting(ExperimentViews.PhaseView::attempts).containsOnly(1);
        assertThat(phases)
                .extracting(ExperimentViews.PhaseView::device)
                .as("the phase view records where it ran")
                .containsOnly("cpu");
        assertThat(phases)
                .extracting(ExperimentViews.PhaseView::worker)
                .allSatisfy(w -> assertThat(w).contains("/"));
        assertThat(phases.get(2).accuracyRow()).hasSize(3);
        assertThat(phases.get(1).exemplarCount()).isEqualTo(10);
        assertThat(phases.get(0).reports()).isNull();
        assertThat(phases.get(2)
                        .reports()
                        .path("mnemonics")
                        .path("outerLossAfter")
                        .asDouble())
                .as("the REST phase view carries the reports")
                .isEqualTo(2.5);

        List<String> types = eventTypes(id);
        assertThat(types.stream().filter("phase-completed"::equals).count()).isEqualTo(3);
        assertThat(types.stream().filter("phase-started"::equals).count()).isEqualTo(3);
        assertThat(types).endsWith("experiment-succeeded");
        assertThat(mockingDetails(events).getInvocations().stream()
                        .filter(i -> i.getMethod().getName().equals("publish")
                                && i.getArgument(0).equals(id)
                                && i.getArgument(1).equals("phase-started"))
                        .map(i -> String.valueOf(((Map<?, ?>) i.getArgument(2)).get("worker")))
                        .toList())
                .as("phase-started names the worker process, so a drill can check pool routing")
                .containsOnly(phases.get(0).worker());
        for (int phase = 0; phase < 3; phase++) {
            verify(artifacts).store(eq(id), eq(phase), eq("state"), any());
            verify(downloads).storeDownloads(eq(id), eq(phase), any(), any());
        }
        assertThat(jdbc.queryForObject(
                        "select count(*) from scheduled_tasks where task_instance like ?", Integer.class, id + "/%"))
                .isZero();
    }

    @Test
    void aFailingPhaseIsRetriedThenTheRunFailsWithAReadableErrorAndCanResume() throws Exception {
        engineBehaviour = call -> {
            throw new IllegalStateException("out of memory on the device");
        };
        UUID id = submit();
        ExperimentViews.Experiment failed = awaitStatus(id, ExperimentStatus.FAILED, ExperimentStatus.SUCCEEDED);
        assertThat(failed.status()).isEqualTo(ExperimentStatus.FAILED);
        assertThat(failed.error()).isEqualTo("IllegalStateException: out of memory on the device");
        assertThat(service.phases(id).get(0).attempts()).isEqualTo(2);
        assertThat(eventTypes(id)).endsWith("experiment-failed");

        engineSucceeds();
        assertThat(service.resume(id).status()).isEqualTo(ExperimentStatus.QUEUED);
        assertThat(awaitStatus(id, ExperimentStatus.SUCCEEDED, ExperimentStatus.FAILED)
                        .status())
                .isEqualTo(ExperimentStatus.SUCCEEDED);
        assertThat(service.get(id).error()).isNull();
    }

    @Test
    void aDivergingPhaseFailsTheRunAtOnceWithTheEnginesMessage() throws Exception {
        engineBehaviour = call -> {
            throw new org.mnemos.engine.TrainingDivergedException(0, "train", 17, Float.NaN);
        };
        UUID id = submit();
        ExperimentViews.Experiment failed = awaitStatus(id, ExperimentStatus.FAILED, ExperimentStatus.SUCCEEDED);
        assertThat(failed.error())
                .isEqualTo(
                        "training diverged in phase 0: the loss of stage 'train' was NaN at step 17; lower the learning rate");
        assertThat(service.phases(id).get(0).attempts())
                .as("a seeded run diverges again: no retry")
                .isEqualTo(1);
        assertThat(service.phases(id).get(0).status()).isEqualTo(PhaseStatus.FAILED);
    }

    @Test
    void runningOutOfJavaHeapFailsThePhaseNotTheWorker() throws Exception {
        engineBehaviour = call -> {
            throw new OutOfMemoryError("Java heap space");
        };
        UUID id = submit();
        ExperimentViews.Experiment failed = awaitStatus(id, ExperimentStatus.FAILED, ExperimentStatus.SUCCEEDED);
        assertThat(failed.error())
                .isEqualTo(
                        "phase 0 ran out of Java heap (Java heap space); lower training.batchSize or give the worker a larger -Xmx");
        assertThat(service.phases(id).get(0).attempts()).isEqualTo(2);

        engineSucceeds();
        assertThat(awaitStatus(submit(), ExperimentStatus.SUCCEEDED, ExperimentStatus.FAILED)
                        .status())
                .as("the worker runs the next experiment")
                .isEqualTo(ExperimentStatus.SUCCEEDED);
    }

    @Test
    void runningOutOfDeviceMemoryFailsThePhaseWithAClearMessage() throws Exception {
        engineBehaviour = call -> {
            throw new ai.djl.engine.EngineException(
                    "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.77 GiB total capacity)\n"
                            + "Exception raised from malloc at c10/cuda/CUDACachingAllocator.cpp");
        };
        UUID id = submit();
        ExperimentViews.Experiment failed = awaitStatus(id, ExperimentStatus.FAILED, ExperimentStatus.SUCCEEDED);
        assertThat(failed.error())
                .isEqualTo("phase 0 ran out of GPU memory: CUDA out of memory. Tried to allocate 2.00 GiB"
                        + " (GPU 0; 15.77 GiB total capacity); lower training.batchSize");
    }

    @Test
    void cancellingARunningPhaseEndsCancelledAndResumeContinues() throws Exception {
        engineBehaviour = call -> {
            CancellationSignal cancel = call.getArgument(6);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                if (cancel.isCancelled()) {
                    throw new PhaseCancelledException(call.getArgument(1));
                }
                Thread.sleep(50);
            }
            throw new AssertionError("never cancelled");
        };
        UUID id = submit();
        awaitStatus(id, ExperimentStatus.RUNNING);
        assertThat(service.cancel(id).status()).isEqualTo(ExperimentStatus.CANCELLING);
        assertThat(awaitStatus(id, ExperimentStatus.CANCELLED).finishedAt()).isNotNull();
        assertThat(eventTypes(id)).endsWith("experiment-cancelled");
        assertThat(service.phases(id).get(0).status()).isEqualTo(PhaseStatus.PENDING);

        engineSucceeds();
        service.resume(id);
        assertThat(awaitStatus(id, ExperimentStatus.SUCCEEDED).completedPhases())
                .isEqualTo(3);
    }

    @Test
    void deletingAFinishedRunRemovesItsRowsAndFiles() throws Exception {
        engineSucceeds();
        UUID id = submit();
        awaitStatus(id, ExperimentStatus.SUCCEEDED);
        service.delete(id);
        verify(artifacts).deleteAll(id);
        assertThat(jdbc.queryForObject("select count(*) from phases where experiment_id = ?", Integer.class, id))
                .isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> service.get(id))
                .isInstanceOf(org.mnemos.web.ApiException.class)
                .extracting(e -> ((org.mnemos.web.ApiException) e).type())
                .isEqualTo(org.mnemos.web.ProblemType.NOT_FOUND);
    }

    @Test
    void idempotentRetryReturnsTheFirstExperimentAndADifferentBodyIsRefused() {
        engineSucceeds();
        var first = service.submit(SPEC.getBytes(), "key-1", Caller.ANONYMOUS);
        var again = service.submit(SPEC.getBytes(), "key-1", Caller.ANONYMOUS);
        assertThat(first.created()).isTrue();
        assertThat(again.created()).isFalse();
        assertThat(again.experiment().id()).isEqualTo(first.experiment().id());
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> service.submit(SPEC.replace("lifecycle", "other").getBytes(), "key-1", Caller.ANONYMOUS))
                .isInstanceOf(org.mnemos.web.ApiException.class)
                .extracting(e -> ((org.mnemos.web.ApiException) e).type())
                .isEqualTo(org.mnemos.web.ProblemType.IDEMPOTENCY_MISMATCH);
    }

    @Test
    void listingPagesNewestFirstWithoutGapsOrRepeats() {
        engineSucceeds();
        List<UUID> created = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(submit());
        }
        List<UUID> seen = new java.util.ArrayList<>();
        String cursor = null;
        do {
            ExperimentViews.Page page = service.list(null, 2, cursor, org.mnemos.security.Caller.ANONYMOUS);
            assertThat(page.items().size()).isLessThanOrEqualTo(2);
            page.items().forEach(item -> seen.add(item.id()));
            cursor = page.nextCursor();
        } while (cursor != null);
        assertThat(seen).doesNotHaveDuplicates();
        // each snapshot names its latest stored event (0 for none), so a client's stream resumes after it
        UUID newest = created.get(4);
        String insert =
                "insert into events (experiment_id, type, data) values (?, 'progress', '{}'::jsonb) returning seq";
        jdbc.queryForObject(insert, Long.class, newest);
        long latest = jdbc.queryForObject(insert, Long.class, newest);
        jdbc.queryForObject(insert, Long.class, created.get(3));
        List<ExperimentViews.ExperimentItem> first = service.list(null, 3, null, org.mnemos.security.Caller.ANONYMOUS)
                .items();
        assertThat(first.get(0).id()).isEqualTo(newest);
        assertThat(first.get(0).lastEventId()).isEqualTo(latest);
        assertThat(first.get(1).lastEventId()).isEqualTo(latest + 1);
        assertThat(first.get(2).lastEventId()).isZero();
        assertThat(service.get(newest).lastEventId()).isEqualTo(latest);
        assertThat(service.get(created.get(2)).lastEventId()).isZero();
        List<UUID> ours = seen.stream().filter(created::contains).toList();
        assertThat(ours).containsExactlyElementsOf(reversed(created));
    }

    private static List<UUID> reversed(List<UUID> ids) {
        List<UUID> copy = new java.util.ArrayList<>(ids);
        java.util.Collections.reverse(copy);
        return copy;
    }

    @Test
    void aFullDiskFailsTheRunWithTheCauseButNotTheServerPath() throws Exception {
        engineSucceeds();
        org.mockito.Mockito.doThrow(new java.nio.file.FileSystemException(
                        "/var/lib/mnemos/artifacts/x/0/state.zip", null, "No space left on device"))
                .when(artifacts)
                .store(any(), anyInt(), eq("state"), any());
        UUID id = submit();
        ExperimentViews.Experiment failed = awaitStatus(id, ExperimentStatus.FAILED, ExperimentStatus.SUCCEEDED);
        assertThat(failed.error())
                .contains("cannot store the artifacts of phase 0", "No space left on device")
                .doesNotContain("/var/lib/mnemos");
    }

    @Autowired
    PhaseLedger ledger;

    /** A cancel that commits between the worker's first look at the run and its start must win. */
    @Test
    void aPhaseStartedAfterTheRunWasCancelledIsDroppedNotRun() throws Exception {
        engineBehaviour = call -> {
            throw new AssertionError("a cancelled run trained");
        };
        UUID queued = submit();
        service.cancel(queued);
        assertThat(ledger.start(queued, 0, "test", "cpu", 3)).isEqualTo(PhaseLedger.Start.DROPPED);
        assertThat(service.get(queued).status()).isEqualTo(ExperimentStatus.CANCELLED);

        UUID cancelling = submit();
        service.cancel(cancelling);
        // as if it had been RUNNING when cancelled: a worker that sees CANCELLING ends it CANCELLED
        jdbc.update("update experiments set status = 'CANCELLING' where id = ?", cancelling);
        assertThat(ledger.start(cancelling, 0, "test", "cpu", 3)).isEqualTo(PhaseLedger.Start.DROPPED);
        assertThat(service.get(cancelling).status()).isEqualTo(ExperimentStatus.CANCELLED);
        assertThat(eventTypes(cancelling)).endsWith("experiment-cancelled").doesNotContain("phase-started");
    }
}
