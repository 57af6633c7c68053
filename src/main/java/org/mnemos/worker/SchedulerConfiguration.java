package org.mnemos.worker;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.mnemos.experiment.PhaseQueue;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;

/**
 * db-scheduler (the plain library): one {@code run-phase} task, executions in
 * {@code scheduled_tasks}. Its DataSource is wrapped so that scheduling joins the caller's Spring
 * transaction. With {@code mnemos.worker.enabled=false} only a client is built: phases are queued
 * but never executed here.
 */
@Configuration(proxyBeanMethods = false)
public class SchedulerConfiguration {

    @Bean
    CustomTask<PhaseRef> runPhaseTask(PhaseExecution runner, WorkerProperties properties) {
        return Tasks.custom(PhaseRef.TASK_NAME, PhaseRef.class)
                .onFailure(new FailureHandler.ExponentialBackoffFailureHandler<>(
                        Duration.ofSeconds(properties.retryBackoffSeconds())))
                .onDeadExecutionRevive()
                .execute(runner::execute);
    }

    @Bean
    SchedulerClient schedulerClient(DataSource dataSource, CustomTask<PhaseRef> runPhaseTask, WorkerProperties properties,
            PhaseExecution runner) {
        DataSource transactional = new TransactionAwareDataSourceProxy(dataSource);
        if (!properties.enabled()) {
            return SchedulerClient.Builder.create(transactional, runPhaseTask).build();
        }
        return Scheduler.create(transactional, runPhaseTask)
                .threads(properties.slots() * runner.devices().devices().size())
                .schedulerName(new SchedulerName.Fixed(runner.workerName()))
                .heartbeatInterval(Duration.ofSeconds(properties.heartbeatSeconds()))
                .missedHeartbeatsLimit(properties.missedHeartbeats())
                .pollingInterval(Duration.ofSeconds(properties.pollingSeconds()))
                .enableImmediateExecution()
                // a phase stops at its next step on shutdown and is handed back (PhaseExecution.beginShutdown); one stuck
                // outside training longer than this stays picked until a live worker revives it once its heartbeats stop
                .shutdownMaxWait(Duration.ofSeconds(properties.heartbeatSeconds()))
                .build();
    }

    @Bean
    PhaseQueue phaseQueue(SchedulerClient scheduler) {
        return (UUID experimentId, int phaseIndex) -> {
            PhaseRef ref = new PhaseRef(experimentId, phaseIndex);
            scheduler.scheduleIfNotExists(
                    new com.github.kagkarlsson.scheduler.task.TaskInstance<>(PhaseRef.TASK_NAME, ref.instanceId(), ref),
                    Instant.now());
        };
    }

    /** Starts the worker's executor once the context is up; on shutdown hands running phases back, then stops it. */
    @Bean
    SmartLifecycle schedulerLifecycle(SchedulerClient scheduler, PhaseExecution runner) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                if (scheduler instanceof Scheduler worker) {
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
}
