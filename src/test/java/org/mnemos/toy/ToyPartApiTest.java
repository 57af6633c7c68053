package org.mnemos.toy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.parts.Parts;
import org.mnemos.experiment.SpecReader;
import org.mnemos.support.TestDatabase;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The toy part of {@link ToyPartTest}, registered in {@link Parts} and nowhere else, through the
 * whole service: the API lists and accepts it, a worker runs it with the real engine, and each
 * phase's view carries its report under {@code reports.toy}.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "mnemos.worker.heartbeat-seconds=2",
            "mnemos.worker.polling-seconds=1",
            "mnemos.worker.device=cpu",
            "mnemos.artifacts.dir=target/toy-artifacts"
        })
class ToyPartApiTest {

    private static final JsonMapper JSON = SpecReader.json();
    private static Parts.Registration registration;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @BeforeAll
    static void registerTheToy() {
        registration = Parts.registerMethod("toy", ToyPartTest::toy);
    }

    @AfterAll
    static void closeTheRegistration() {
        registration.close();
    }

    @LocalServerPort
    int port;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void aRegisteredPartIsListedAcceptedRunAndReported() throws Exception {
        JsonNode methods = JSON.readTree(get("/api/v1/methods").body());
        assertThat(methods.valueStream().map(m -> m.get("name").asString())).contains("toy", "icarl");

        String spec = """
                {"name":"toy-api","seed":1,
                 "dataset":{"name":"synthetic","syntheticClasses":6,"syntheticTrainPerClass":12,"syntheticTestPerClass":4,
                            "syntheticImageSize":8,"syntheticChannels":1},
                 "protocol":{"initialClasses":2,"increment":2,"classOrder":"natural"},
                 "model":{"backbone":"mlp","hiddenUnits":[16]},"method":{"name":"toy"},"memory":{"perClass":3},
                 "training":{"epochs":1,"batchSize":8,"optimizer":{"name":"sgd","lr":0.05}}}""";
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(uri("/api/v1/experiments"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(spec))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).get("id").asString();

        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        String status;
        do {
            Thread.sleep(500);
            status = JSON.readTree(get("/api/v1/experiments/" + id).body())
                    .get("status")
                    .asString();
        } while (!status.equals("SUCCEEDED") && !status.equals("FAILED") && System.nanoTime() < deadline);
        assertThat(status).isEqualTo("SUCCEEDED");

        JsonNode phases =
                JSON.readTree(get("/api/v1/experiments/" + id + "/phases").body());
        assertThat(phases.size()).isEqualTo(3);
        for (JsonNode phase : phases) {
            int index = phase.get("index").asInt();
            JsonNode toy = phase.path("reports").path("toy");
            // the new classes' 12 images each, plus 3 exemplars of every earlier class
            assertThat(toy.path("trainingImages").asInt()).as(phase.toString()).isEqualTo(2 * 12 + 3 * 2 * index);
            assertThat(toy.path("exemplarsAfter").asInt()).isEqualTo(3 * 2 * (index + 1));
        }

        HttpResponse<String> unknown = http.send(
                HttpRequest.newBuilder(uri("/api/v1/experiments"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(spec.replace("\"toy\"", "\"toy2\"")))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("\"method.name\"").contains("toy");
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
