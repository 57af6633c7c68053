package org.mnemos;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.mnemos.experiment.SpecReader;
import org.mnemos.support.TestDatabase;
import org.mnemos.support.WorkerProcess;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A worker process killed with SIGKILL in the middle of a phase that has taken mid-phase
 * checkpoints: the worker that takes the phase over resumes it from the last one (a
 * {@code phase-resumed} event at a checkpoint's step, not 0), the run succeeds with every phase
 * completed once, and no checkpoint is left behind.
 */
class CheckpointCrashRecoveryTest {

    private static final JsonMapper JSON = SpecReader.json();
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);
    private static final int CHECKPOINT_STEPS = 20;
    private static final Map<String, String> CHECKPOINTS = Map.of(
            "mnemos.worker.checkpoint.steps", String.valueOf(CHECKPOINT_STEPS), "mnemos.worker.checkpoint.every", "0");

    // its own database: its workers must not pick up executions other test classes left in the shared one
    private final String jdbcUrl = TestDatabase.freshDatabase("checkpoint_crash_recovery");

    @Test
    void aKilledWorkersPhaseResumesFromItsLastCheckpointOnTheNextWorker() throws Exception {
        WorkerProcess first = WorkerProcess.start(
                "checkpoint-crash-worker-1", jdbcUrl, "target/checkpoint-crash-artifacts", CHECKPOINTS);
        WorkerProcess second = null;
        try {
            first.awaitServing(RUN_TIMEOUT);
            ObjectNode spec =
                    (ObjectNode) JSON.readTree(Files.readAllBytes(Path.of("examples/split-mnist-replay.json")));
            ((ObjectNode) spec.get("training")).put("iterations", 600);
            ((ObjectNode) spec.get("memory")).put("perClass", 20);
            HttpResponse<String> created = first.post("/api/v1/experiments", spec.toString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            UUID id = UUID.fromString(JSON.readTree(created.body()).get("id").asString());

            String runningWithCheckpoint = "select count(*) from artifacts a join phases p on p.experiment_id ="
                    + " a.experiment_id and p.phase_index = a.phase_index where a.experiment_id = ?"
                    + " and a.kind = 'mid-phase-checkpoint' and p.status = 'RUNNING'";
            await("a running phase with a checkpoint", () -> count(runningWithCheckpoint, id) == 1);
            long interrupted = count(
                    "select p.phase_index from artifacts a join phases p on p.experiment_id = a.experiment_id"
                            + " and p.phase_index = a.phase_index where a.experiment_id = ?"
                            + " and a.kind = 'mid-phase-checkpoint' and p.status = 'RUNNING'",
                    id);
            first.kill();

            second = WorkerProcess.start(
                    "checkpoint-crash-worker-2", jdbcUrl, "target/checkpoint-crash-artifacts", CHECKPOINTS);
            await(
                    "run succeeded after the restart",
                    () -> count("select count(*) from experiments where id = ? and status = 'SUCCEEDED'", id) == 1);

            long resumedStep = count(
                    "select (data->>'step')::bigint from events where experiment_id = ? and type = 'phase-resumed'"
                            + " and (data->>'phase')::int = " + interrupted,
                    id);
            assertThat(resumedStep)
                    .as("resumed at a checkpoint's step, not from the start")
                    .isPositive();
            assertThat(resumedStep % CHECKPOINT_STEPS)
                    .as("SIGKILL leaves the last periodic checkpoint")
                    .isZero();
            assertThat(count("select count(*) from events where experiment_id = ? and type = 'phase-resumed'", id))
                    .isEqualTo(1);
            for (int phase = 0; phase < 5; phase++) {
                assertThat(count(
                                "select count(*) from events where experiment_id = ? and type = 'phase-completed' and (data->>'phase')::int = "
                                        + phase,
                                id))
                        .as("phase-completed events of phase " + phase)
                        .isEqualTo(1);
            }
            assertThat(count(
                            "select count(*) from artifacts where experiment_id = ? and kind = 'mid-phase-checkpoint'",
                            id))
                    .as("checkpoints deleted as their phases completed")
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
