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
import java.util.List;
import javax.sql.DataSource;
import org.mnemos.config.RunMemoryCheck;
import org.mnemos.experiment.Experiment;
import org.mnemos.experiment.PhaseQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;

/**
 * db-scheduler (the plain library), executions in {@code scheduled_tasks}: one task per worker
 * pool, {@code run-phase@<pool>}, and {@code run-phase} for runs any pool may take. A worker knows
 * only {@code run-phase} and its own pool's task, so it never takes another pool's phase; the
 * others' executions stay in the table for as long as it takes their pool to get a worker.
 *
 * Every phase of a run is queued at the run's submission time, and a worker takes the earliest due
 * execution when a thread is free: the runs submitted first are finished first instead of all runs'
 * phases interleaving. The DataSource is wrapped so that scheduling joins the caller's Spring
 * transaction. With {@code mnemos.worker.enabled=false} only a client is built: phases are queued
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
                .deleteUnresolvedAfter(UNRESOLVED_KEPT_FOR)
                .enableImmediateExecution()
                // a phase stops at its next step on shutdown and is handed back (PhaseExecution.beginShutdown); one
                // stuck
                // outside training longer than this stays picked until a live worker revives it once its heartbeats
                // stop
                .shutdownMaxWait(Duration.ofSeconds(properties.heartbeatSeconds()));
    }

    /** Queues a phase of {@code experiment} in its pool's task, at the run's submission time (its place in the queue). */
    static void schedule(SchedulerClient scheduler, Experiment experiment, int phaseIndex) {
        PhaseRef ref = new PhaseRef(experiment.getId(), phaseIndex);
        scheduler.scheduleIfNotExists(
                new TaskInstance<>(PhaseRef.taskName(experiment.getPool()), ref.instanceId(), ref),
                experiment.getCreatedAt());
    }

    @Bean
    SchedulerClient schedulerClient(DataSource dataSource, WorkerProperties properties, PhaseExecution runner) {
        DataSource transactional = new TransactionAwareDataSourceProxy(dataSource);
        List<Task<?>> tasks = phaseTasks(properties.pool(), runner::execute, properties);
        if (!properties.enabled()) {
            return SchedulerClient.Builder.create(transactional, tasks).build();
        }
        int threads = properties.slots() * runner.devices().devices().size();
        return configure(Scheduler.create(transactional, tasks), properties, threads, runner.workerName())
                .build();
    }

    @Bean
    PhaseQueue phaseQueue(SchedulerClient scheduler) {
        return (experiment, phaseIndex) -> schedule(scheduler, experiment, phaseIndex);
    }

    /**
     * Registers the worker's pool and budget, then starts its executor once the context is up; on
     * shutdown hands running phases back, then stops it.
     */
    @Bean
    SmartLifecycle schedulerLifecycle(
            SchedulerClient scheduler, PhaseExecution runner, WorkerProperties properties, WorkerPools pools) {
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
