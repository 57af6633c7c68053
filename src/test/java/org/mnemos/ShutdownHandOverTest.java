package org.mnemos;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.mnemos.experiment.SpecReader;
import org.mnemos.support.TestDatabase;
import org.mnemos.support.WorkerProcess;
import tools.jackson.databind.json.JsonMapper;

/**
 * SIGTERM to a worker in the middle of a phase: the phase is handed back on shutdown, so the other
 * worker starts it within seconds rather than after dead-execution detection (60 s here), and the
 * interrupted attempt does not count against the phase's attempts.
 */
class ShutdownHandOverTest {

    private static final JsonMapper JSON = SpecReader.json();
    private static final Duration TIMEOUT = Duration.ofMinutes(4);
    /** Far below the 10 s × 6 missed heartbeats after which a picked phase would count as dead. */
    private static final Duration HAND_OVER_LIMIT = Duration.ofSeconds(20);

    private static final Map<String, String> SLOW_DEAD_DETECTION =
            Map.of("mnemos.worker.heartbeat-seconds", "10", "mnemos.worker.missed-heartbeats", "6");
    private static final String LONG_RUN = """
            {"name":"hand-over","dataset":{"name":"synthetic"},
             "protocol":{"initialClasses":4,"increment":3,"classOrder":"natural"},
             "model":{"backbone":"mlp","hiddenUnits":[8]},"method":{"name":"finetune"},
             "training":{"iterations":1000000,"batchSize":16,"optimizer":{"name":"sgd","lr":0.01}}}""";

    // its own database: its workers must not pick up executions other test classes left in the shared one
    private final String jdbcUrl = TestDatabase.freshDatabase("shutdown_hand_over");

    @Test
    void aStoppingWorkerHandsItsPhaseToAnotherWorkerAtOnce() throws Exception {
        // both start together: their start-up is what takes longest here
        List<WorkerProcess> workers = List.of(
                WorkerProcess.start("hand-over-worker-1", jdbcUrl, "target/hand-over-artifacts", SLOW_DEAD_DETECTION),
                WorkerProcess.start("hand-over-worker-2", jdbcUrl, "target/hand-over-artifacts", SLOW_DEAD_DETECTION));
        try {
            for (WorkerProcess worker : workers) {
                worker.awaitServing(TIMEOUT);
            }
            HttpResponse<String> created = workers.get(0).post("/api/v1/experiments", LONG_RUN);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            UUID run = UUID.fromString(JSON.readTree(created.body()).get("id").asString());
            WorkerProcess.await(
                    "phase 0 running", TIMEOUT, () -> runningOn(run, workers.get(0)) || runningOn(run, workers.get(1)));
            WorkerProcess stopping = runningOn(run, workers.get(0)) ? workers.get(0) : workers.get(1);
            WorkerProcess other = stopping == workers.get(0) ? workers.get(1) : workers.get(0);

            stopping.close();
            long stopped = System.nanoTime();
            WorkerProcess.await("phase 0 running on the other worker", TIMEOUT, () -> runningOn(run, other));
            Duration handOver = Duration.ofNanos(System.nanoTime() - stopped);

            assertThat(handOver)
                    .as("time from the stopped worker's exit to the phase running again")
                    .isLessThan(HAND_OVER_LIMIT);
            assertThat(count("select attempts from phases where experiment_id = ? and phase_index = 0", run))
                    .isEqualTo(2);
            assertThat(count("select attempts from experiments where id = ?", run))
                    .as("the attempt cut short by the shutdown is not counted against the phase")
                    .isEqualTo(1);
            assertThat(other.post("/api/v1/experiments/" + run + "/cancel", "").statusCode())
                    .isEqualTo(200);
            WorkerProcess.await(
                    "the run cancelled",
                    TIMEOUT,
                    () -> count("select count(*) from experiments where id = ? and status = 'CANCELLED'", run) == 1);
        } finally {
            for (WorkerProcess worker : workers) {
                worker.close();
            }
        }
    }

    private boolean runningOn(UUID run, WorkerProcess worker) {
        return count(
                        "select count(*) from phases where experiment_id = ? and status = 'RUNNING' and worker like '%"
                                + worker.workerNameSuffix() + "'",
                        run)
                == 1;
    }

    private long count(String sql, UUID id) {
        return WorkerProcess.count(jdbcUrl, sql, id);
    }
}
