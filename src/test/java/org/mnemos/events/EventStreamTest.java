package org.mnemos.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.mnemos.support.TestExperiments;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(
        classes = EventsTestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "mnemos.embedded-db.port=0",
            "mnemos.embedded-db.fsync=false",
            "mnemos.embedded-db.ephemeral=true",
            "mnemos.events.heartbeat=300ms"
        })
class EventStreamTest {

    private static final String END = "<end>";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    TransactionTemplate tx;

    @Autowired
    EventPublisher publisher;

    @Autowired
    EventListenerService listener;

    private final HttpClient http = HttpClient.newHttpClient();

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** An SSE event with its data parsed, so that jsonb's formatting does not matter. */
    record Sse(String id, String event, JsonNode data) {
        Sse(String id, String event, String data) {
            this(id, event, JSON.readTree(data));
        }
    }

    @Test
    void liveEventsArriveThroughNotifyAndTheStreamEndsAfterATerminalEvent() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        int connections = listener.connectionCount();
        BlockingQueue<String> lines = open(experiment, Map.of());
        awaitSubscribers(experiment, 1);

        long[] seqs = tx.execute(status -> new long[] {
            publisher.publish(experiment, EventTypes.PHASE_STARTED, Map.of("phase", 0)),
            publisher.publish(experiment, EventTypes.PROGRESS, Map.of("fraction", 0.5))
        });
        tx.executeWithoutResult(status -> {
            publisher.publish(experiment, EventTypes.PROGRESS, Map.of("rolledBack", true));
            status.setRollbackOnly();
        });
        long last = publisher.publish(experiment, EventTypes.EXPERIMENT_SUCCEEDED, Map.of("lastAccuracy", 0.9));

        List<Sse> events = readUntilEnd(lines);
        assertThat(events)
                .containsExactly(
                        new Sse(Long.toString(seqs[0]), "phase-started", "{\"phase\":0}"),
                        new Sse(Long.toString(seqs[1]), "progress", "{\"fraction\":0.5}"),
                        new Sse(Long.toString(last), "experiment-succeeded", "{\"lastAccuracy\":0.9}"));
        assertThat(listener.connectionCount())
                .as("no reconnect catch-up involved")
                .isEqualTo(connections);
        awaitSubscribers(experiment, 0);
    }

    @Test
    void reconnectingWithLastEventIdReplaysOnlyTheMissedEvents() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        long first = publisher.publish(experiment, EventTypes.PHASE_STARTED, Map.of("phase", 0));
        long second = publisher.publish(experiment, EventTypes.PHASE_COMPLETED, Map.of("phase", 0));
        long third = publisher.publish(experiment, EventTypes.PHASE_STARTED, Map.of("phase", 1));
        long done = publisher.publish(experiment, EventTypes.EXPERIMENT_FAILED, Map.of("error", "x"));

        List<Sse> fromHeader = readUntilEnd(open(experiment, Map.of("Last-Event-ID", Long.toString(first))));
        assertThat(fromHeader)
                .extracting(Sse::id)
                .containsExactly(Long.toString(second), Long.toString(third), Long.toString(done));

        List<Sse> fromQuery = readUntilEnd(open(experiment, Map.of(), "?lastEventId=" + third));
        assertThat(fromQuery).extracting(Sse::id).containsExactly(Long.toString(done));
    }

    @Test
    void replayOfAResumedRunEndsAtItsCurrentTerminalEventNotAnEarlierOne() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        long failed = publisher.publish(experiment, EventTypes.EXPERIMENT_FAILED, Map.of("phase", 1, "error", "x"));
        long resumed = publisher.publish(experiment, EventTypes.EXPERIMENT_RESUMED, Map.of("phase", 1));
        long completed = publisher.publish(experiment, EventTypes.PHASE_COMPLETED, Map.of("phase", 1));
        long succeeded = publisher.publish(experiment, EventTypes.EXPERIMENT_SUCCEEDED, Map.of("lastAccuracy", 0.9));

        assertThat(readUntilEnd(open(experiment, Map.of())))
                .extracting(Sse::id)
                .containsExactly(
                        Long.toString(failed),
                        Long.toString(resumed),
                        Long.toString(completed),
                        Long.toString(succeeded));
        assertThat(readUntilEnd(open(experiment, Map.of("Last-Event-ID", Long.toString(failed - 1)))))
                .extracting(Sse::event)
                .endsWith("experiment-succeeded");
    }

    @Test
    void survivesTheListenerConnectionBeingKilled() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        BlockingQueue<String> lines = open(experiment, Map.of());
        awaitSubscribers(experiment, 1);
        long before = publisher.publish(experiment, EventTypes.PHASE_STARTED, Map.of("phase", 0));
        assertThat(nextEvent(lines).id()).isEqualTo(Long.toString(before));

        int oldPid = listener.backendPid();
        int connections = listener.connectionCount();
        assertThat(jdbc.queryForObject("select pg_terminate_backend(?)", Boolean.class, oldPid))
                .isTrue();
        long during = publisher.publish(experiment, EventTypes.PROGRESS, Map.of("fraction", 0.1));
        long after = publisher.publish(experiment, EventTypes.EXPERIMENT_CANCELLED, Map.of());

        assertThat(readUntilEnd(lines))
                .extracting(Sse::id)
                .containsExactly(Long.toString(during), Long.toString(after));
        assertThat(listener.connectionCount()).isGreaterThan(connections);
        assertThat(listener.backendPid()).isNotIn(oldPid, -1);
    }

    @Test
    void heartbeatsKeepAnIdleStreamAlive() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        BlockingQueue<String> lines = open(experiment, Map.of());
        String line = lines.poll(5, TimeUnit.SECONDS);
        assertThat(line).isEqualTo(":heartbeat");
    }

    @Test
    void unknownExperimentIsANotFoundProblem() throws Exception {
        HttpResponse<String> response =
                http.send(request(UUID.randomUUID(), Map.of(), "").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body()).contains("\"type\":\"https://mnemos.dev/problems/not-found\"");
    }

    private HttpRequest.Builder request(UUID experiment, Map<String, String> headers, String query) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + port + "/api/v1/experiments/" + experiment + "/events" + query))
                .header("Accept", "text/event-stream");
        headers.forEach(builder::header);
        return builder;
    }

    private BlockingQueue<String> open(UUID experiment, Map<String, String> headers) {
        return open(experiment, headers, "");
    }

    /** Lines of the response body as they arrive, then {@value #END}. */
    private BlockingQueue<String> open(UUID experiment, Map<String, String> headers, String query) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        CompletableFuture.runAsync(() -> {
            try {
                HttpResponse<Stream<String>> response =
                        http.send(request(experiment, headers, query).build(), HttpResponse.BodyHandlers.ofLines());
                assertThat(response.statusCode()).isEqualTo(200);
                response.body().forEach(lines::add);
            } catch (Exception e) {
                lines.add("<error " + e + ">");
            } finally {
                lines.add(END);
            }
        });
        return lines;
    }

    private static Sse nextEvent(BlockingQueue<String> lines) throws InterruptedException {
        String id = null;
        String event = null;
        String data = null;
        while (true) {
            String line = lines.poll(10, TimeUnit.SECONDS);
            assertThat(line).as("a line within 10 s").isNotNull();
            if (line.equals(END)) {
                return null;
            } else if (line.startsWith("id:")) {
                id = line.substring(3);
            } else if (line.startsWith("event:")) {
                event = line.substring(6);
            } else if (line.startsWith("data:")) {
                data = line.substring(5);
            } else if (line.isEmpty() && id != null) {
                return new Sse(id, event, data);
            }
        }
    }

    private static List<Sse> readUntilEnd(BlockingQueue<String> lines) throws InterruptedException {
        List<Sse> events = new ArrayList<>();
        for (Sse e = nextEvent(lines); e != null; e = nextEvent(lines)) {
            events.add(e);
        }
        return events;
    }

    private void awaitSubscribers(UUID experiment, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (listener.subscriberCount(experiment) != expected) {
            assertThat(System.nanoTime()).as("%d subscribers", expected).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
