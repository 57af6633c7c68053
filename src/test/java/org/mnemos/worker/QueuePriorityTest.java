package org.mnemos.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.testhelper.ManualScheduler;
import com.github.kagkarlsson.scheduler.testhelper.SettableClock;
import com.github.kagkarlsson.scheduler.testhelper.TestHelper;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mnemos.experiment.Experiment;
import org.mnemos.support.TestDatabase;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Priority on the real queue (PostgreSQL, db-scheduler with the worker's settings): a later run of a
 * higher {@code resources.priority} goes ahead, within a priority a run's next phase goes ahead of a
 * later run's first, and each waiting run's queue position says where it stands in its pool's queue.
 */
class QueuePriorityTest {

    private record Ran(String run, int phase) {}

    private DriverManagerDataSource dataSource;
    private JdbcTemplate jdbc;
    private final SettableClock clock = new SettableClock();
    private final List<Ran> ran = Collections.synchronizedList(new ArrayList<>());
    private final Map<UUID, String> names = new HashMap<>();
    private final Map<UUID, Experiment> runs = new HashMap<>();

    @BeforeEach
    void freshQueue() {
        dataSource = new DriverManagerDataSource(TestDatabase.freshDatabase("priority"), "postgres", "postgres");
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        jdbc = new JdbcTemplate(dataSource);
        clock.set(Instant.now());
    }

    private static WorkerProperties properties(String pool) {
        return new WorkerProperties(true, 1, "cpu", 10, 6, 3, 2, 10, null, null, pool);
    }

    /** Runs a phase by recording it and queuing the run's next phase, as a completed phase does. */
    private List<Task<?>> tasks(String pool) {
        return SchedulerConfiguration.phaseTasks(
                pool,
                (instance, context) -> {
                    PhaseRef ref = instance.getData();
                    ran.add(new Ran(names.get(ref.experimentId()), ref.phase()));
                    if (ref.phase() == 0) {
                        SchedulerConfiguration.schedule(context.getSchedulerClient(), runs.get(ref.experimentId()), 1);
                    }
                    return new CompletionHandler.OnCompleteRemove<>();
                },
                properties(pool));
    }

    private ManualScheduler worker(String pool) {
        return (ManualScheduler) SchedulerConfiguration.configure(
                        TestHelper.createManualScheduler(dataSource, tasks(pool))
                                .clock(clock),
                        properties(pool),
                        1,
                        "worker-" + pool)
                .build();
    }

    /** A 2-phase run submitted {@code secondsAgo} before the clock's now, its phase 0 queued. */
    private Experiment submit(String name, String pool, int priority, int secondsAgo) {
        Experiment experiment = new Experiment(
                UUID.randomUUID(),
                name,
                "{}",
                "{}",
                "{}",
                0,
                "h",
                2,
                null,
                null,
                "{}",
                clock.now().minusSeconds(secondsAgo).truncatedTo(ChronoUnit.MICROS));
        experiment.routeTo(pool, priority);
        names.put(experiment.getId(), name);
        runs.put(experiment.getId(), experiment);
        SchedulerConfiguration.schedule(SchedulerConfiguration.client(dataSource, tasks("api")), experiment, 0);
        return experiment;
    }

    private Map<String, Integer> positions() {
        Map<String, Integer> byName = new HashMap<>();
        QueuePositions.of(jdbc, runs.keySet()).forEach((id, position) -> byName.put(names.get(id), position));
        return byName;
    }

    @Test
    void aLaterRunOfHigherPriorityGoesAheadAndWithinAPriorityTheRunSubmittedFirstFinishesFirst() {
        submit("low", null, -3, 40);
        submit("first", null, 0, 30);
        submit("second", null, 0, 20);
        submit("urgent", null, 5, 10);

        assertThat(positions())
                .as("priority first, then submission")
                .containsOnly(
                        Map.entry("urgent", 1), Map.entry("first", 2), Map.entry("second", 3), Map.entry("low", 4));

        ManualScheduler worker = worker("cpu");
        for (int i = 0; i < 12; i++) {
            worker.runAnyDueExecutions();
        }
        assertThat(ran)
                .containsExactly(
                        new Ran("urgent", 0),
                        new Ran("urgent", 1),
                        new Ran("first", 0),
                        new Ran("first", 1),
                        new Ran("second", 0),
                        new Ran("second", 1),
                        new Ran("low", 0),
                        new Ran("low", 1));
        assertThat(positions()).as("nothing waits").isEmpty();
    }

    @Test
    void aPositionCountsThePhasesAWorkerOfTheRunsPoolTakesFirst() {
        submit("any-early", null, 0, 60);
        submit("gpu-urgent", "gpu", 10, 5);
        submit("gpu-early", "gpu", 0, 90);
        submit("cpu-late", "cpu", 0, 10);
        submit("any-urgent", null, 5, 1);

        assertThat(positions())
                .as("a gpu worker takes run-phase@gpu and run-phase; a run naming no pool waits in run-phase only")
                .containsOnly(
                        Map.entry("gpu-urgent", 1),
                        Map.entry("gpu-early", 3),
                        Map.entry("any-urgent", 1),
                        Map.entry("any-early", 2),
                        Map.entry("cpu-late", 3));

        jdbc.update(
                "update scheduled_tasks set picked = true where task_instance like ?",
                runs.values().stream()
                                .filter(r -> r.getName().equals("any-urgent"))
                                .findFirst()
                                .orElseThrow()
                                .getId()
                        + "/%");
        assertThat(positions())
                .as("a picked phase runs: no position, and no longer ahead of the others")
                .doesNotContainKey("any-urgent")
                .containsEntry("any-early", 1)
                .containsEntry("gpu-early", 2)
                .containsEntry("cpu-late", 2);
    }

    @Test
    void aPhaseQueuedByAProcessThatWritesNoPriorityGetsTheDefaultNotTheFrontOfTheQueue() {
        submit("urgent", null, 5, 10);
        Experiment legacy =
                new Experiment(UUID.randomUUID(), "legacy", "{}", "{}", "{}", 0, "h", 2, null, null, "{}", clock.now());
        legacy.routeTo(null, 0);
        names.put(legacy.getId(), "legacy");
        runs.put(legacy.getId(), legacy);
        // db-scheduler leaves the column out unless priority is enabled; "order by priority desc" puts NULL first
        SchedulerClient withoutPriority =
                SchedulerClient.Builder.create(dataSource, tasks("api")).build();
        SchedulerConfiguration.schedule(withoutPriority, legacy, 0);

        assertThat(jdbc.queryForObject(
                        "select priority from scheduled_tasks where task_instance = ?",
                        Integer.class,
                        legacy.getId() + "/0"))
                .isZero();
        assertThat(positions()).containsOnly(Map.entry("urgent", 1), Map.entry("legacy", 2));
    }
}
