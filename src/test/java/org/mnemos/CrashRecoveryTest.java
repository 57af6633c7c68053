package org.mnemos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.mnemos.experiment.SpecReader;
import org.mnemos.support.TestDatabase;
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

    private final String jdbcUrl = TestDatabase.jdbcUrl();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aKilledWorkerIsReplacedAndNoPhaseCompletesTwice() throws Exception {
        Process first = start(1);
        Process second = null;
        try {
            int port = awaitPort(first, 1);
            ObjectNode spec = (ObjectNode) JSON.readTree(Files.readAllBytes(Path.of("examples/split-mnist-replay.json")));
            ((ObjectNode) spec.get("training")).put("iterations", 150);
            ((ObjectNode) spec.get("memory")).put("perClass", 20);
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/experiments"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(spec.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            UUID id = UUID.fromString(JSON.readTree(created.body()).get("id").asString());

            await("phase 1 completed and a later phase running", () -> count(
                    "select count(*) from phases where experiment_id = ? and phase_index >= 1 and status = 'COMPLETED'", id) >= 1
                    && count("select count(*) from phases where experiment_id = ? and status = 'RUNNING'", id) == 1);
            int completedBeforeCrash = (int) count("select count(*) from phases where experiment_id = ? and status = 'COMPLETED'", id);
            first.destroyForcibly().waitFor();

            second = start(2);
            await("run succeeded after the restart", () -> count(
                    "select count(*) from experiments where id = ? and status = 'SUCCEEDED'", id) == 1);

            assertThat(count("select count(*) from phases where experiment_id = ? and status = 'COMPLETED'", id)).isEqualTo(5);
            for (int phase = 0; phase < 5; phase++) {
                assertThat(count("select count(*) from events where experiment_id = ? and type = 'phase-completed' and (data->>'phase')::int = "
                        + phase, id)).as("phase-completed events of phase " + phase).isEqualTo(1);
            }
            assertThat(count("select count(*) from phases where experiment_id = ? and phase_index < " + completedBeforeCrash
                    + " and attempts = 1", id)).as("phases completed before the crash ran once").isEqualTo(completedBeforeCrash);
            assertThat(count("select count(*) from phases where experiment_id = ? and attempts = 2", id))
                    .as("the phase interrupted by the crash ran again").isEqualTo(1);
            assertThat(count("select count(*) from events where experiment_id = ? and type = 'experiment-succeeded'", id)).isEqualTo(1);
            assertThat(count("select count(*) from scheduled_tasks where task_instance like (?::text || '/%')", id)).isZero();
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroy();
                second.waitFor();
            }
        }
    }

    private Process start(int n) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        // the application's own classpath: test classes would add test configurations to its component scan
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dai.djl.offline=true", "-cp", classpath, MnemosApplication.class.getName(),
                "--server.port=" + port,
                "--spring.datasource.url=" + jdbcUrl,
                "--spring.datasource.username=postgres",
                "--spring.datasource.password=postgres",
                "--mnemos.worker.heartbeat-seconds=1",
                "--mnemos.worker.missed-heartbeats=4",
                "--mnemos.worker.polling-seconds=1",
                "--mnemos.worker.device=cpu",
                "--mnemos.artifacts.dir=target/crash-artifacts"));
        Path log = Path.of("target", "crash-worker-" + n + ".log");
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ports.put(n, port);
        return process;
    }

    private final java.util.Map<Integer, Integer> ports = new java.util.HashMap<>();

    private int awaitPort(Process process, int n) throws Exception {
        int port = ports.get(n);
        await("worker " + n + " serving", () -> {
            assertThat(process.isAlive()).as("worker " + n + " died; see target/crash-worker-" + n + ".log").isTrue();
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/methods")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException | InterruptedException e) {
                return false;
            }
        });
        return port;
    }

    private long count(String sql, UUID id) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
                var statement = connection.prepareStatement(sql)) {
            statement.setObject(1, id);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("timed out waiting for: " + what);
    }
}
