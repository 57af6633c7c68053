package org.mnemos;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.mnemos.experiment.SpecReader;
import org.mnemos.support.TestDatabase;
import org.mnemos.support.WorkerProcess;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A worker process killed with SIGKILL in the middle of a run: a second process takes the phase
 * over once the first one's heartbeats stop, and the run finishes with every phase completed
 * exactly once (phases finished before the crash are not trained again).
 */
class CrashRecoveryTest {

    private static final JsonMapper JSON = SpecReader.json();
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);

    // its own database: its workers must not pick up executions other test classes left in the shared one
    private final String jdbcUrl = TestDatabase.freshDatabase("crash_recovery");

    @Test
    void aKilledWorkerIsReplacedAndNoPhaseCompletesTwice() throws Exception {
        WorkerProcess first = WorkerProcess.start("crash-worker-1", jdbcUrl, "target/crash-artifacts");
        WorkerProcess second = null;
        try {
            first.awaitServing(RUN_TIMEOUT);
            ObjectNode spec =
                    (ObjectNode) JSON.readTree(Files.readAllBytes(Path.of("examples/split-mnist-replay.json")));
            ((ObjectNode) spec.get("training")).put("iterations", 150);
            ((ObjectNode) spec.get("memory")).put("perClass", 20);
            HttpResponse<String> created = first.post("/api/v1/experiments", spec.toString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            UUID id = UUID.fromString(JSON.readTree(created.body()).get("id").asString());

            await(
                    "phase 1 completed and a later phase running",
                    () -> count(
                                            "select count(*) from phases where experiment_id = ? and phase_index >= 1 and status = 'COMPLETED'",
                                            id)
                                    >= 1
                            && count("select count(*) from phases where experiment_id = ? and status = 'RUNNING'", id)
                                    == 1);
            int completedBeforeCrash =
                    (int) count("select count(*) from phases where experiment_id = ? and status = 'COMPLETED'", id);
            first.kill();

            second = WorkerProcess.start("crash-worker-2", jdbcUrl, "target/crash-artifacts");
            await(
                    "run succeeded after the restart",
                    () -> count("select count(*) from experiments where id = ? and status = 'SUCCEEDED'", id) == 1);

            assertThat(count("select count(*) from phases where experiment_id = ? and status = 'COMPLETED'", id))
                    .isEqualTo(5);
            for (int phase = 0; phase < 5; phase++) {
                assertThat(count(
                                "select count(*) from events where experiment_id = ? and type = 'phase-completed' and (data->>'phase')::int = "
                                        + phase,
                                id))
                        .as("phase-completed events of phase " + phase)
                        .isEqualTo(1);
            }
            assertThat(count(
                            "select count(*) from phases where experiment_id = ? and phase_index < "
                                    + completedBeforeCrash + " and attempts = 1",
                            id))
                    .as("phases completed before the crash ran once")
                    .isEqualTo(completedBeforeCrash);
            assertThat(count("select count(*) from phases where experiment_id = ? and attempts = 2", id))
                    .as("the phase interrupted by the crash ran again")
                    .isEqualTo(1);
            assertThat(count(
                            "select count(*) from events where experiment_id = ? and type = 'experiment-succeeded'",
                            id))
                    .isEqualTo(1);
            assertThat(count("select count(*) from scheduled_tasks where task_instance like (?::text || '/%')", id))
                    .isZero();
        } finally {
            first.kill();
            if (second != null) {
                second.close();
            }
        }
    }

    private long count(String sql, UUID id) {
        return WorkerProcess.count(jdbcUrl, sql, id);
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        WorkerProcess.await(what, RUN_TIMEOUT, condition);
    }
}
