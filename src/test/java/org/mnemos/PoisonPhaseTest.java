package org.mnemos;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.mnemos.experiment.SpecReader;
import org.mnemos.support.TestDatabase;
import org.mnemos.support.WorkerProcess;
import tools.jackson.databind.json.JsonMapper;

/**
 * A poison phase: every attempt ends its worker JVM (SIGKILL while the phase runs, as the OOM
 * killer or a native crash would). It runs exactly {@code maxAttempts} (3) times across restarts;
 * the next worker then FAILS the run instead of starting it again, and the run queued behind it
 * proceeds.
 */
class PoisonPhaseTest {

    private static final JsonMapper JSON = SpecReader.json();
    private static final Duration TIMEOUT = Duration.ofMinutes(4);
    private static final String ARTIFACTS = "target/poison-artifacts";

    private static final String POISON = """
            {"name":"poison","dataset":{"name":"synthetic"},
             "protocol":{"initialClasses":4,"increment":3,"classOrder":"natural"},
             "model":{"backbone":"mlp","hiddenUnits":[8]},"method":{"name":"finetune"},
             "training":{"iterations":1000000,"batchSize":16,"optimizer":{"name":"sgd","lr":0.01}}}""";
    private static final String NEXT =
            POISON.replace("\"poison\"", "\"behind-the-poison\"").replace("1000000", "5");

    // its own database: its workers must not pick up executions other test classes left in the shared one
    private final String jdbcUrl = TestDatabase.freshDatabase("poison_phase");

    @Test
    void aPhaseThatEndsItsProcessRunsMaxAttemptsTimesThenTheRunFailsAndTheQueueMovesOn() throws Exception {
        UUID poison = null;
        UUID next = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            WorkerProcess worker = WorkerProcess.start("poison-worker-" + attempt, jdbcUrl, ARTIFACTS)
                    .awaitServing(TIMEOUT);
            try {
                if (poison == null) {
                    poison = submit(worker, POISON);
                    next = submit(worker, NEXT);
                }
                UUID id = poison;
                int expected = attempt;
                awaitOrDiagnose(
                        worker,
                        "attempt " + attempt + " of the poison phase running on " + worker.workerNameSuffix(),
                        () -> count(
                                        "select count(*) from phases where experiment_id = ? and phase_index = 0 and status = 'RUNNING'"
                                                + " and attempts = " + expected + " and worker like '%"
                                                + worker.workerNameSuffix() + "'",
                                        id)
                                == 1);
            } finally {
                worker.kill();
            }
        }

        WorkerProcess last = WorkerProcess.start("poison-worker-4", jdbcUrl, ARTIFACTS);
        try {
            UUID id = poison;
            UUID queued = next;
            awaitOrDiagnose(
                    last,
                    "the poison run FAILED",
                    () -> count("select count(*) from experiments where id = ? and status = 'FAILED'", id) == 1);
            awaitOrDiagnose(
                    last,
                    "the run behind it SUCCEEDED",
                    () -> count("select count(*) from experiments where id = ? and status = 'SUCCEEDED'", queued) == 1);
        } finally {
            last.close();
        }

        assertThat(count("select attempts from phases where experiment_id = ? and phase_index = 0", poison))
                .as("the poison phase ran exactly maxAttempts times")
                .isEqualTo(3);
        assertThat(count(
                        "select count(*) from phases where experiment_id = ? and phase_index = 0 and status = 'FAILED'",
                        poison))
                .isEqualTo(1);
        assertThat(count(
                        "select count(*) from experiments where id = ? and error = 'phase 0 did not finish in 3 attempts;"
                                + " the last one ended the worker process (killed, crashed or out of memory)'",
                        poison))
                .isEqualTo(1);
        assertThat(count("select count(*) from events where experiment_id = ? and type = 'experiment-failed'", poison))
                .isEqualTo(1);
        assertThat(count("select count(*) from scheduled_tasks where task_instance like (?::text || '/%')", poison))
                .isZero();
    }

    /** On a timeout, the worker's threads go to its log and the queue and phases into the failure message. */
    private void awaitOrDiagnose(WorkerProcess worker, String what, BooleanSupplier condition) throws Exception {
        try {
            WorkerProcess.await(what, TIMEOUT, condition);
        } catch (AssertionError stalled) {
            worker.dumpThreads();
            throw new AssertionError(
                    stalled.getMessage() + " (thread dump in target/" + worker.name() + ".log)"
                            + "\nscheduled_tasks:"
                            + WorkerProcess.rows(
                                    jdbcUrl,
                                    "select task_instance, execution_time, picked, picked_by,"
                                            + " last_heartbeat, version, consecutive_failures from scheduled_tasks order by execution_time")
                            + "\nphases:"
                            + WorkerProcess.rows(
                                    jdbcUrl,
                                    "select experiment_id, phase_index, status, attempts, worker,"
                                            + " started_at from phases order by started_at"),
                    stalled);
        }
    }

    private static UUID submit(WorkerProcess worker, String spec) throws Exception {
        HttpResponse<String> created = worker.post("/api/v1/experiments", spec);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return UUID.fromString(JSON.readTree(created.body()).get("id").asString());
    }

    private long count(String sql, UUID id) {
        return WorkerProcess.count(jdbcUrl, sql, id);
    }
}
