package org.mnemos.worker;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerBuilder;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.DeadExecutionHandler;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.ExecutionContext;
import com.github.kagkarlsson.scheduler.task.ExecutionOperations;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.mnemos.config.RunMemoryCheck;
import org.mnemos.experiment.Experiment;
import org.mnemos.experiment.PhaseQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;

/**
 * db-scheduler (the plain library), executions in {@code scheduled_tasks}: one task per worker
 * pool, {@code run-phase@<pool>}, and {@code run-phase} for runs any pool may take. A worker knows
 * only {@code run-phase} and its own pool's task, so it never takes another pool's phase; the
 * others' executions stay in the table for as long as it takes their pool to get a worker.
 *
 * Every phase of a run is queued at the run's priority ({@code resources.priority}, db-scheduler's
 * {@code priority} column) and submission time, and a worker takes the due execution of the highest
 * priority, the earliest among those, when a thread is free: within a priority the runs submitted
 * first are finished first instead of all runs' phases interleaving. The DataSource is wrapped so
 * that scheduling joins the caller's Spring transaction. With {@code mnemos.worker.enabled=false} only a client is built: phases are queued
 * but never executed here.
 */
@Configuration(proxyBeanMethods = false)
public class SchedulerConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SchedulerConfiguration.class);
    /**
     * db-scheduler deletes the executions of a task no instance knows after 14 days by default; another
     * pool's phases must wait for that pool however long it has no worker.
     */
    static final Duration UNRESOLVED_KEPT_FOR = Duration.ofDays(365L * 1000);
    /** How often a worker in job mode checks whether it is done. */
    private static final Duration JOB_MODE_CHECK = Duration.ofMillis(250);

    /** The tasks a worker of {@code pool} runs: any pool's and its own. */
    static List<Task<?>> phaseTasks(String pool, PhaseRunner runner, WorkerProperties properties) {
        return List.of(
                phaseTask(PhaseRef.taskName(null), runner, properties),
                phaseTask(PhaseRef.taskName(pool), runner, properties));
    }

    private static Task<PhaseRef> phaseTask(String name, PhaseRunner runner, WorkerProperties properties) {
        return Tasks.custom(name, PhaseRef.class)
                .onFailure(new FailureHandler.ExponentialBackoffFailureHandler<>(
                        Duration.ofSeconds(properties.retryBackoffSeconds())))
                .onDeadExecution(new KeepPlaceOnRevive())
                .execute(runner::execute);
    }

    /** What runs a phase execution: {@link PhaseExecution#execute}. */
    @FunctionalInterface
    interface PhaseRunner {
        CompletionHandler<PhaseRef> execute(TaskInstance<PhaseRef> instance, ExecutionContext context);
    }

    /**
     * The worker's scheduler settings. Lock-and-fetch with at most one execution per free thread: a
     * worker holds no executions it cannot start, so another worker may take them, and it picks the
     * earliest due execution at the moment a thread frees up (a run's next phase, queued meanwhile,
     * goes ahead of a later run's first one).
     */
    static SchedulerBuilder configure(
            SchedulerBuilder builder, WorkerProperties properties, int threads, String workerName) {
        return builder.threads(threads)
                .schedulerName(new SchedulerName.Fixed(workerName))
                .heartbeatInterval(Duration.ofSeconds(properties.heartbeatSeconds()))
                .missedHeartbeatsLimit(properties.missedHeartbeats())
                .pollingInterval(Duration.ofSeconds(properties.pollingSeconds()))
                .pollUsingLockAndFetch(0.5, 1.0)
                .enablePriority()
                .deleteUnresolvedAfter(UNRESOLVED_KEPT_FOR)
                .enableImmediateExecution()
                // a phase stops at its next step on shutdown and is handed back (PhaseExecution.beginShutdown); one
                // stuck
                // outside training longer than this stays picked until a live worker revives it once its heartbeats
                // stop
                .shutdownMaxWait(Duration.ofSeconds(properties.heartbeatSeconds()));
    }

    /**
     * Queues a phase of {@code experiment} in its pool's task at the run's priority and submission
     * time (its place in the queue).
     */
    static void schedule(SchedulerClient scheduler, Experiment experiment, int phaseIndex) {
        PhaseRef ref = new PhaseRef(experiment.getId(), phaseIndex);
        TaskInstance<PhaseRef> instance = new TaskInstance.Builder<PhaseRef>(
                        PhaseRef.taskName(experiment.getPool()), ref.instanceId())
                .data(ref)
                .priority(experiment.getPriority())
                .build();
        scheduler.scheduleIfNotExists(instance, experiment.getCreatedAt());
    }

    /** A client that only queues: it writes the priority the workers order by. */
    static SchedulerClient client(DataSource dataSource, List<Task<?>> tasks) {
        return SchedulerClient.Builder.create(dataSource, tasks)
                .enablePriority()
                .build();
    }

    @Bean
    SchedulerClient schedulerClient(DataSource dataSource, WorkerProperties properties, PhaseExecution runner) {
        DataSource transactional = new TransactionAwareDataSourceProxy(dataSource);
        List<Task<?>> tasks = phaseTasks(properties.pool(), runner::execute, properties);
        if (!properties.enabled()) {
            return client(transactional, tasks);
        }
        int threads = properties.slots() * runner.devices().devices().size();
        Scheduler worker = configure(Scheduler.create(transactional, tasks), properties, threads, runner.workerName())
                .build();
        if (JobMode.enabled(properties)) {
            // the worker stops fetching once its budget is spent or it decides to end
            runner.useJobMode(new JobMode(properties, System::nanoTime, worker::pause));
        }
        return worker;
    }

    @Bean
    PhaseQueue phaseQueue(SchedulerClient scheduler, JdbcTemplate jdbc) {
        return new PhaseQueue() {
            @Override
            public void enqueue(Experiment experiment, int phaseIndex) {
                schedule(scheduler, experiment, phaseIndex);
            }

            @Override
            public Map<UUID, Integer> positions(Collection<UUID> runs) {
                return QueuePositions.of(jdbc, runs);
            }
        };
    }

    /**
     * Registers the worker's pool and budget, then starts its executor once the context is up; on
     * shutdown hands running phases back, then stops it.
     */
    @Bean
    SmartLifecycle schedulerLifecycle(
            SchedulerClient scheduler,
            PhaseExecution runner,
            WorkerProperties properties,
            WorkerPools pools,
            ApplicationContext context) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                if (scheduler instanceof Scheduler worker) {
                    RunMemoryCheck.Budget budget = RunMemoryCheck.budgetOf(properties);
                    pools.register(
                            properties.pool(), budget.bytes(), budget.onGpu(), budget.source(), runner.workerName());
                    log.info(
                            "Worker {} takes the phases of pool '{}' and of runs that name no pool ({} bytes, {})",
                            runner.workerName(),
                            properties.pool(),
                            budget.bytes(),
                            budget.source());
                    worker.start();
                    if (runner.jobMode() != null) {
                        watchJobMode(runner.jobMode(), properties, context);
                    }
                }
                running = true;
            }

            @Override
            public void stop() {
                if (scheduler instanceof Scheduler worker) {
                    runner.beginShutdown();
                    worker.stop();
                }
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }

    /**
     * Ends the process with exit code 0 once the job mode says so, on a thread of its own: closing
     * the context stops the scheduler, which waits for the executions it runs. Called once the
     * scheduler has started.
     */
    private static void watchJobMode(JobMode job, WorkerProperties properties, ApplicationContext context) {
        List<String> ends = new java.util.ArrayList<>();
        if (properties.maxPhases() > 0) {
            ends.add("after " + properties.maxPhases() + " phase(s)");
        }
        if (properties.exitWhenIdle() != null) {
            ends.add("after " + properties.exitWhenIdle() + " without a phase");
        }
        log.info("Job mode: this worker ends {}", String.join(" or ", ends));
        // idle time counts from here, not from the context's start-up
        job.fetchingStarted();
        Thread watcher = new Thread(
                () -> {
                    try {
                        while (true) {
                            Optional<String> reason = job.exitNow();
                            if (reason.isPresent()) {
                                log.info("Job mode: this worker {}; it ends", reason.get());
                                break;
                            }
                            Thread.sleep(JOB_MODE_CHECK.toMillis());
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.exit(SpringApplication.exit(context, () -> 0));
                },
                "mnemos-job-mode");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Revives the execution of a worker that died at its original time, so that the run keeps its place in the queue. */
    static final class KeepPlaceOnRevive implements DeadExecutionHandler<PhaseRef> {
        @Override
        public void deadExecution(
                ExecutionComplete executionComplete, ExecutionOperations<PhaseRef> executionOperations) {
            log.info(
                    "Reviving the phase execution {} of a worker that stopped sending heartbeats",
                    executionComplete.getExecution().taskInstance.getId());
            executionOperations.reschedule(executionComplete, executionComplete.getExecution().executionTime);
        }
    }
}
