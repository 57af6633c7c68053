package org.mnemos;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.mnemos.experiment.SpecReader;
import org.mnemos.support.TestDatabase;
import org.mnemos.support.WorkerProcess;
import tools.jackson.databind.json.JsonMapper;

/**
 * The job mode in real worker processes, as a KEDA ScaledJob or a Slurm array task runs them: a
 * worker with {@code max-phases=1} trains exactly one phase of a 3-phase run and ends with exit code
 * 0, leaving the next phase waiting in the queue for the next job; a worker with
 * {@code exit-when-idle=3s} and nothing to do ends with exit code 0. Each on its own database.
 */
class JobModeProcessTest {

    private static final JsonMapper JSON = SpecReader.json();
    private static final Duration TIMEOUT = Duration.ofMinutes(4);
    private static final String RUN = """
            {"name":"job-mode","dataset":{"name":"synthetic"},
             "protocol":{"initialClasses":4,"increment":3,"classOrder":"natural"},
             "model":{"backbone":"mlp","hiddenUnits":[8]},"method":{"name":"finetune"},
             "training":{"iterations":5,"batchSize":8,"optimizer":{"name":"sgd","lr":0.01}}}""";

    /** The time stamp of the log line that contains {@code text}. */
    private static Instant loggedAt(String log, String text) {
        String line = log.lines()
                .filter(l -> l.contains(text))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no log line: " + text));
        return Instant.parse(line.substring(0, line.indexOf(' ')));
    }

    @Test
    void aWorkerWithMaxPhasesOneRunsOnePhaseAndAnIdleWorkerEndsAfterItsTimeout() throws Exception {
        String budgetDb = TestDatabase.freshDatabase("job_mode_budget");
        String idleDb = TestDatabase.freshDatabase("job_mode_idle");
        // both start together: their start-up is what takes longest here
        try (WorkerProcess budget = WorkerProcess.start(
                        "job-mode-budget",
                        budgetDb,
                        "target/job-mode-artifacts",
                        Map.of("mnemos.worker.max-phases", "1"));
                WorkerProcess idle = WorkerProcess.start(
                        "job-mode-idle",
                        idleDb,
                        "target/job-mode-idle-artifacts",
                        Map.of("mnemos.worker.exit-when-idle", "3s"))) {
            budget.awaitServing(TIMEOUT);
            HttpResponse<String> created = budget.post("/api/v1/experiments", RUN);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            UUID run = UUID.fromString(JSON.readTree(created.body()).get("id").asString());

            assertThat(budget.awaitExit(TIMEOUT))
                    .as("exit code of the worker with max-phases 1")
                    .isZero();
            assertThat(WorkerProcess.count(
                            budgetDb,
                            "select count(*) from phases where experiment_id = ? and status = 'COMPLETED'",
                            run))
                    .as("phases completed")
                    .isEqualTo(1);
            assertThat(WorkerProcess.count(
                            budgetDb,
                            "select count(*) from phases where experiment_id = ? and status = 'RUNNING'",
                            run))
                    .isZero();
            assertThat(WorkerProcess.count(
                            budgetDb,
                            "select count(*) from scheduled_tasks where task_instance = ? || '/1' and not picked",
                            run))
                    .as("phase 1 waits, unpicked, for the next worker"
                            + WorkerProcess.rows(
                                    budgetDb,
                                    "select task_name, task_instance, picked, picked_by from scheduled_tasks"))
                    .isEqualTo(1);
            assertThat(Files.readString(Path.of("target", "job-mode-budget.log")))
                    .contains("Job mode: this worker ran its 1 phase(s) (mnemos.worker.max-phases); it ends");

            assertThat(idle.awaitExit(TIMEOUT))
                    .as("exit code of the idle worker")
                    .isZero();
            String idleLog = Files.readString(Path.of("target", "job-mode-idle.log"));
            Instant fetching = loggedAt(idleLog, "Job mode: this worker ends after PT3S without a phase");
            Instant ended = loggedAt(
                    idleLog, "Job mode: this worker ran no phase for PT3S (mnemos.worker.exit-when-idle); it ends");
            assertThat(Duration.between(fetching, ended))
                    .as("idle from when it started fetching, not from its start-up")
                    .isBetween(Duration.ofSeconds(3), Duration.ofSeconds(10));
        }
    }
}
