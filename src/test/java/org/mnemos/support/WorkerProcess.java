package org.mnemos.support;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.mnemos.MnemosApplication;

/**
 * A Mnemos worker in its own JVM against the test database, with fast heartbeats so that a killed
 * worker's phase is taken over within seconds; its output goes to {@code target/<name>.log}.
 */
public final class WorkerProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String name;
    private final Process process;
    private final int port;

    private WorkerProcess(String name, Process process, int port) {
        this.name = name;
        this.process = process;
        this.port = port;
    }

    public static WorkerProcess start(String name, String jdbcUrl, String artifactsDir) throws IOException {
        return start(name, jdbcUrl, artifactsDir, Map.of());
    }

    /** {@code overrides} replace the default settings (property name without {@code --}). */
    public static WorkerProcess start(String name, String jdbcUrl, String artifactsDir, Map<String, String> overrides)
            throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("server.port", String.valueOf(port));
        settings.put("spring.datasource.url", jdbcUrl);
        settings.put("spring.datasource.username", "postgres");
        settings.put("spring.datasource.password", "postgres");
        settings.put("mnemos.worker.heartbeat-seconds", "1");
        settings.put("mnemos.worker.missed-heartbeats", "4");
        settings.put("mnemos.worker.polling-seconds", "1");
        settings.put("mnemos.worker.device", "cpu");
        settings.put("mnemos.artifacts.dir", artifactsDir);
        settings.putAll(overrides);
        // the application's own classpath: test classes would add test configurations to its component scan
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g",
                "-Dai.djl.offline=true",
                "-cp",
                classpath,
                MnemosApplication.class.getName()));
        settings.forEach((key, value) -> command.add("--" + key + "=" + value));
        Path log = Path.of("target", name + ".log");
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new WorkerProcess(name, process, port);
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    /** The name the worker records on the phases it runs (host/pid). */
    public String workerNameSuffix() {
        return "/" + process.pid();
    }

    /** Waits until the worker answers HTTP; fails early when the process died. */
    public WorkerProcess awaitServing(Duration timeout) throws InterruptedException {
        await("worker " + name + " serving", timeout, () -> {
            assertThat(process.isAlive())
                    .as("worker " + name + " died; see target/" + name + ".log")
                    .isTrue();
            try {
                return HTTP.send(
                                        HttpRequest.newBuilder(
                                                        URI.create("http://127.0.0.1:" + port + "/api/v1/methods"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        return this;
    }

    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Waits for the process to end by itself; returns its exit code, or fails when it still runs after {@code timeout}. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        assertThat(process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
                .as("worker " + name + " ended within " + timeout + "; see target/" + name + ".log")
                .isTrue();
        return process.exitValue();
    }

    /** SIGKILL: the process ends mid-phase without running any shutdown code. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGQUIT: the JVM prints every thread's stack to its log and carries on; for diagnosing a stall. */
    public void dumpThreads() throws IOException, InterruptedException {
        if (process.isAlive()) {
            new ProcessBuilder("kill", "-QUIT", String.valueOf(process.pid()))
                    .inheritIO()
                    .start()
                    .waitFor();
            Thread.sleep(500);
        }
    }

    /** Every row of {@code sql} (no parameters), one line each, for a failure message. */
    public static String rows(String jdbcUrl, String sql) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
                var statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            StringBuilder out = new StringBuilder();
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                for (int column = 1; column <= columns; column++) {
                    out.append(column == 1 ? "\n  " : " | ")
                            .append(rows.getMetaData().getColumnName(column))
                            .append('=')
                            .append(rows.getString(column));
                }
            }
            return out.toString();
        } catch (SQLException e) {
            return "\n  (could not read: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then waits for the graceful shutdown to finish. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    /** {@code sql} with one {@code ?} bound to {@code id}, returning a single number. */
    public static long count(String jdbcUrl, String sql, UUID id) {
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

    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("timed out waiting for: " + what);
    }
}
