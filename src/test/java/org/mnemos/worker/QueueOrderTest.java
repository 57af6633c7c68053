package org.mnemos.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.when;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mnemos.artifacts.ArtifactStore;
import org.mnemos.artifacts.PhaseArtifacts;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.Datasets;
import org.mnemos.engine.PhaseOutcome;
import org.mnemos.engine.RunPlan;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.events.EventPublisher;
import org.mnemos.experiment.ExperimentService;
import org.mnemos.experiment.ExperimentStatus;
import org.mnemos.experiment.ExperimentViews;
import org.mnemos.support.TestDatabase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * The queue finishes what started first: eight 3-phase runs submitted together on a worker with one
 * slot run one after another (a run's next phase goes ahead of a later run's first), so the first
 * run's results are there after 3 phases instead of at the end of all 24. A later run of a higher
 * {@code resources.priority} goes ahead of every waiting phase, and each waiting run's view and list
 * item show its queue position. Its own database, so that
 * only this context's worker takes the phases.
 */
@SpringBootTest(
        properties = {
            "mnemos.worker.slots=1",
            "mnemos.worker.device=cpu",
            "mnemos.worker.polling-seconds=1",
            "mnemos.limits.max-concurrent-runs-per-key=100"
        })
class QueueOrderTest {

    private static final int RUNS = 8;
    private static final int PHASES = 3;
    private static final String SPEC = """
            {"name":"queued","dataset":{"name":"mnist"},
             "protocol":{"initialClasses":4,"increment":3,"classOrder":"natural"},
             "model":{"backbone":"mlp","hiddenUnits":[8]},"method":{"name":"finetune"},
             "training":{"iterations":3,"batchSize":4,"optimizer":{"name":"adam","lr":0.01}}}""";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        String url = TestDatabase.freshDatabase("fifo");
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "postgres");
    }

    @Autowired
    ExperimentService service;

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

    private record Started(String run, int phase) {}

    private final List<Started> started = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch allSubmitted = new CountDownLatch(1);

    @BeforeEach
    void doubles() throws Exception {
        when(engine.plan(any()))
                .thenAnswer(call -> new RunPlan(
                        call.getArgument(0),
                        List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
                        List.of(List.of(0, 1, 2, 3), List.of(4, 5, 6), List.of(7, 8, 9)),
                        List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")));
        when(artifacts.find(any(), anyInt(), eq("state")))
                .thenAnswer(call -> Optional.of(new ArtifactStore.ArtifactRecord(
                        call.getArgument(0), call.getArgument(1), "state", "x", 1, "0")));
        org.mockito.Mockito.doAnswer(call -> Files.createDirectories(call.getArgument(1)))
                .when(artifacts)
                .extractTo(any(), any());
        when(engine.runPhase(any(), anyInt(), any(), any(), any(), any(), any(), any()))
                .thenAnswer(call -> {
                    // the first phase holds the slot until every run is queued, as when a sweep is submitted at once
                    assertThat(allSubmitted.await(60, TimeUnit.SECONDS)).isTrue();
                    RunPlan plan = call.getArgument(0);
                    int phase = call.getArgument(1);
                    started.add(new Started(plan.spec().name(), phase));
                    Thread.sleep(20);
                    List<Double> row = Collections.nCopies(phase + 1, 0.5);
                    PhaseMetrics metrics = new PhaseMetrics(
                            phase,
                            List.of(phase),
                            "cnn",
                            0.5,
                            0.5,
                            null,
                            phase == 0 ? null : 0.5,
                            0.5,
                            row,
                            Map.of(phase, 0.5),
                            0,
                            0L,
                            10,
                            100.0);
                    return new PhaseOutcome(metrics, call.getArgument(3));
                });
    }

    @Test
    void aRunRoutedToThisWorkersPoolRunsInItsTaskAndShowsThePool() throws Exception {
        when(memory.pinnedPool(any())).thenReturn(Optional.of(WorkerProperties.DEFAULT_POOL));
        allSubmitted.countDown();
        UUID id = service.submit(
                        SPEC.replace("\"queued\"", "\"pinned\"").getBytes(), null, org.mnemos.security.Caller.ANONYMOUS)
                .experiment()
                .id();
        ExperimentViews.Experiment done = await(id);
        assertThat(done.status()).isEqualTo(ExperimentStatus.SUCCEEDED);
        assertThat(done.pool()).isEqualTo("default");
        assertThat(started).extracting(Started::run).containsOnly("pinned");
    }

    @Test
    void eightRunsOnOneSlotFinishOneAfterAnotherInTheOrderTheyWereSubmitted() throws Exception {

        List<UUID> runs = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            runs.add(service.submit(
                            SPEC.replace("\"queued\"", "\"queued-" + i + "\"").getBytes(),
                            null,
                            org.mnemos.security.Caller.ANONYMOUS)
                    .experiment()
                    .id());
        }
        allSubmitted.countDown();
        List<ExperimentViews.Experiment> done = new ArrayList<>();
        for (UUID run : runs) {
            done.add(await(run));
        }

        List<Started> expected = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            for (int phase = 0; phase < PHASES; phase++) {
                expected.add(new Started("queued-" + i, phase));
            }
        }
        assertThat(started)
                .as("phases in the order of their runs' submission, each run's phases together")
                .isEqualTo(expected);
        Instant firstFinished = done.get(0).finishedAt();
        assertThat(done.subList(1, RUNS))
                .allSatisfy(later -> assertThat(later.startedAt()).isAfterOrEqualTo(firstFinished));
        assertThat(done).extracting(ExperimentViews.Experiment::status).containsOnly(ExperimentStatus.SUCCEEDED);
        assertThat(done)
                .extracting(ExperimentViews.Experiment::pool)
                .as("any pool")
                .containsOnlyNulls();
    }

    @Test
    void aLaterRunOfHigherPriorityGoesAheadOfTheWaitingRunsAndEachWaitingRunShowsItsPosition() throws Exception {
        UUID first = submit("first", "");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (service.get(first).status() != ExperimentStatus.RUNNING && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(service.get(first).status()).isEqualTo(ExperimentStatus.RUNNING);
        UUID second = submit("second", "");
        UUID third = submit("third", ",\"resources\":{\"priority\":0}");
        UUID urgent = submit("urgent", ",\"resources\":{\"priority\":10}");

        assertThat(service.get(first).queuePosition()).as("its phase runs").isNull();
        assertThat(service.get(urgent).queuePosition()).isEqualTo(1);
        assertThat(service.get(second).queuePosition()).isEqualTo(2);
        assertThat(service.get(third).queuePosition()).isEqualTo(3);
        assertThat(service.list(null, 20, null, org.mnemos.security.Caller.ANONYMOUS)
                        .items())
                .filteredOn(item -> List.of(first, second, third, urgent).contains(item.id()))
                .extracting(ExperimentViews.ExperimentItem::name, ExperimentViews.ExperimentItem::queuePosition)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("first", null),
                        org.assertj.core.groups.Tuple.tuple("second", 2),
                        org.assertj.core.groups.Tuple.tuple("third", 3),
                        org.assertj.core.groups.Tuple.tuple("urgent", 1));

        allSubmitted.countDown();
        List<ExperimentViews.Experiment> done = new ArrayList<>();
        for (UUID run : List.of(first, second, third, urgent)) {
            done.add(await(run));
        }
        assertThat(started)
                .as("the urgent run goes ahead of every waiting phase, the first run's next phase included")
                .containsExactly(
                        new Started("first", 0),
                        new Started("urgent", 0),
                        new Started("urgent", 1),
                        new Started("urgent", 2),
                        new Started("first", 1),
                        new Started("first", 2),
                        new Started("second", 0),
                        new Started("second", 1),
                        new Started("second", 2),
                        new Started("third", 0),
                        new Started("third", 1),
                        new Started("third", 2));
        assertThat(done).extracting(ExperimentViews.Experiment::queuePosition).containsOnlyNulls();
        assertThat(done).extracting(ExperimentViews.Experiment::status).containsOnly(ExperimentStatus.SUCCEEDED);
    }

    private UUID submit(String name, String resources) {
        return service.submit(
                        SPEC.replace("\"queued\"", "\"" + name + "\"" + resources)
                                .getBytes(),
                        null,
                        org.mnemos.security.Caller.ANONYMOUS)
                .experiment()
                .id();
    }

    private ExperimentViews.Experiment await(UUID id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            ExperimentViews.Experiment experiment = service.get(id);
            if (experiment.status() == ExperimentStatus.SUCCEEDED || experiment.status() == ExperimentStatus.FAILED) {
                return experiment;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("experiment " + id + " did not end: " + service.get(id));
    }
}
