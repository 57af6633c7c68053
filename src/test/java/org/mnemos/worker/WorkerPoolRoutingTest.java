package org.mnemos.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.kagkarlsson.scheduler.SchedulerBuilder;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.testhelper.ManualScheduler;
import com.github.kagkarlsson.scheduler.testhelper.SettableClock;
import com.github.kagkarlsson.scheduler.testhelper.TestHelper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mnemos.config.MnemosMetrics;
import org.mnemos.experiment.Experiment;
import org.mnemos.support.TestDatabase;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.util.unit.DataSize;

/**
 * Pool routing on the real queue (PostgreSQL, db-scheduler with the worker's settings, a settable
 * clock): a worker takes its own pool's phases and those of runs that name none, never another
 * pool's; another pool's phases outlive db-scheduler's 14-day deletion of unknown tasks; each pool
 * has its queue gauge; pools register and are declared with their budgets.
 */
class WorkerPoolRoutingTest {

    private record Ran(String pool, UUID run, int phase) {}

    private DriverManagerDataSource dataSource;
    private JdbcTemplate jdbc;
    private final SettableClock clock = new SettableClock();
    private final List<Ran> ran = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void freshQueue() {
        dataSource = new DriverManagerDataSource(TestDatabase.freshDatabase("pools"), "postgres", "postgres");
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

    private List<Task<?>> tasks(String pool) {
        return SchedulerConfiguration.phaseTasks(
                pool,
                (instance, context) -> {
                    ran.add(new Ran(
                            pool,
                            instance.getData().experimentId(),
                            instance.getData().phase()));
                    return new CompletionHandler.OnCompleteRemove<>();
                },
                properties(pool));
    }

    /** A one-slot worker of {@code pool} with the production settings, then {@code adjust}ed. */
    private ManualScheduler worker(String pool, UnaryOperator<SchedulerBuilder> adjust) {
        SchedulerBuilder builder = SchedulerConfiguration.configure(
                TestHelper.createManualScheduler(dataSource, tasks(pool)).clock(clock),
                properties(pool),
                1,
                "worker-" + pool);
        return (ManualScheduler) adjust.apply(builder).build();
    }

    /** A run submitted {@code secondsAgo} before the clock's now. */
    private Experiment run(String pool, int secondsAgo) {
        Experiment experiment = new Experiment(
                UUID.randomUUID(),
                "r",
                "{}",
                "{}",
                "{}",
                0,
                "h",
                3,
                null,
                null,
                "{}",
                clock.now().minusSeconds(secondsAgo).truncatedTo(ChronoUnit.MICROS));
        experiment.routeTo(pool, 0);
        return experiment;
    }

    private void enqueue(Experiment experiment) {
        SchedulerClient client =
                SchedulerClient.Builder.create(dataSource, tasks("client")).build();
        SchedulerConfiguration.schedule(client, experiment, 0);
    }

    private List<String> waitingTasks() {
        return jdbc.queryForList("select task_name from scheduled_tasks order by task_name", String.class);
    }

    private static void drain(ManualScheduler worker) {
        // a poll that meets another pool's execution for the first time unpicks it and runs nothing
        for (int i = 0; i < 6; i++) {
            worker.runAnyDueExecutions();
        }
    }

    @Test
    void aWorkerTakesItsPoolsAndUnpinnedPhasesOnlyAndAnotherPoolsQueueOutlivesFifteenDays() {
        Experiment forGpu = run("gpu", 30);
        Experiment forCpu = run("cpu", 20);
        Experiment forAny = run(null, 10);
        enqueue(forAny);
        enqueue(forCpu);
        enqueue(forGpu);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new MnemosMetrics(jdbc, registry);
        assertThat(registry.get("mnemos.queue.depth").gauge().value()).isEqualTo(3);
        assertThat(registry.get("mnemos.queue.phases")
                        .tags("pool", "gpu", "state", "waiting")
                        .gauge()
                        .value())
                .isEqualTo(1);
        assertThat(registry.get("mnemos.queue.phases")
                        .tags("pool", "any", "state", "waiting")
                        .gauge()
                        .value())
                .isEqualTo(1);
        assertThat(registry.get("mnemos.queue.phases")
                        .tags("pool", "cpu", "state", "running")
                        .gauge()
                        .value())
                .isZero();

        ManualScheduler cpu = worker("cpu", builder -> builder);
        drain(cpu);
        assertThat(ran)
                .as("the cpu worker's own pool's run first (submitted earlier), then the unpinned one")
                .containsExactly(new Ran("cpu", forCpu.getId(), 0), new Ran("cpu", forAny.getId(), 0));
        assertThat(waitingTasks()).containsExactly("run-phase@gpu");

        clock.tick(Duration.ofDays(15));
        cpu.runDeadExecutionDetection();
        drain(cpu);
        assertThat(waitingTasks())
                .as("the gpu pool's phase waits for its pool past db-scheduler's 14 days")
                .containsExactly("run-phase@gpu");

        drain(worker("gpu", builder -> builder));
        assertThat(ran).last().isEqualTo(new Ran("gpu", forGpu.getId(), 0));
        assertThat(waitingTasks()).isEmpty();
    }

    @Test
    void withDbSchedulersDefaultHorizonTheSameWorkerWouldDeleteAnotherPoolsQueue() {
        enqueue(run("gpu", 10));
        ManualScheduler cpu = worker(
                "cpu",
                builder ->
                        builder.deleteUnresolvedAfter(SchedulerBuilder.DEFAULT_DELETION_OF_UNRESOLVED_TASKS_DURATION));
        drain(cpu);
        clock.tick(Duration.ofDays(15));
        cpu.runDeadExecutionDetection();
        assertThat(waitingTasks()).as("what the worker's setting prevents").isEmpty();
    }

    @Test
    void poolsAreKnownFromTheirWorkersAndFromDeclarationsWhichWin() {
        PoolsProperties declared = new PoolsProperties(Map.of(
                "gpu-h100",
                new PoolsProperties.Declared(DataSize.ofGigabytes(80), true),
                "cpu",
                new PoolsProperties.Declared(DataSize.ofGigabytes(4), false)));
        WorkerPools pools = new WorkerPools(jdbc, declared);
        pools.register("cpu", DataSize.ofGigabytes(8).toBytes(), false, "host RAM", "host-a/1");
        pools.register("spot", DataSize.ofGigabytes(16).toBytes(), false, "host RAM", "host-b/2");
        pools.register("spot", DataSize.ofGigabytes(32).toBytes(), false, "mnemos.worker.memory-budget", "host-c/3");

        Map<String, WorkerPools.Pool> known = pools.known();
        assertThat(known.keySet()).containsExactly("cpu", "gpu-h100", "spot");
        assertThat(known.get("gpu-h100"))
                .isEqualTo(new WorkerPools.Pool(
                        "gpu-h100", DataSize.ofGigabytes(80).toBytes(), true, "mnemos.pools.gpu-h100.memory-budget"));
        assertThat(known.get("cpu").memoryBudget())
                .as("the declaration wins")
                .isEqualTo(DataSize.ofGigabytes(4).toBytes());
        assertThat(known.get("spot"))
                .as("the latest registration")
                .isEqualTo(new WorkerPools.Pool(
                        "spot",
                        DataSize.ofGigabytes(32).toBytes(),
                        false,
                        "mnemos.worker.memory-budget of worker host-c/3"));
    }
}
