package org.mnemos;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.RunPlan;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.experiment.SpecReader;
import org.mnemos.support.TestDatabase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The whole service over HTTP with the real engine on MNIST: submit split-MNIST replay (few
 * iterations), follow it over SSE to SUCCEEDED, download the last phase's exemplars and
 * checkpoint, and reload the checkpoint to reproduce the phase's accuracy.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "mnemos.worker.heartbeat-seconds=2",
            "mnemos.worker.polling-seconds=1",
            "mnemos.worker.device=cpu",
            "mnemos.artifacts.dir=target/e2e-artifacts"
        })
class EndToEndTest {

    private static final JsonMapper JSON = SpecReader.json();

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    CilEngine engine;

    @TempDir
    Path temp;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    record SseEvent(String id, String name, String data) {}

    @Test
    void aRunThatWouldNotFitInMemoryIsRefusedAtSubmitNamingTheField() throws Exception {
        String spec = """
                {"dataset":{"name":"synthetic","syntheticImageSize":64,"syntheticChannels":3},
                 "protocol":{"initialClasses":4,"increment":3},"model":{"backbone":"resnet18"},"method":{"name":"finetune"},
                 "training":{"epochs":1,"batchSize":4096,"optimizer":{"name":"sgd","lr":0.1}}}""";
        HttpResponse<String> refused = http.send(
                HttpRequest.newBuilder(uri("/api/v1/experiments"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(spec))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        JsonNode error = JSON.readTree(refused.body()).get("errors").get(0);
        assertThat(error.get("field").asString()).isEqualTo("training.batchSize");
        assertThat(error.get("message").asString()).contains("GiB at its peak").contains("host RAM");
    }

    @Test
    void splitMnistReplayRunsToTheEndAndItsCheckpointReproducesItsAccuracy() throws Exception {
        ObjectNode spec = (ObjectNode) JSON.readTree(Files.readAllBytes(Path.of("examples/split-mnist-replay.json")));
        ((ObjectNode) spec.get("training")).put("iterations", 40);
        ((ObjectNode) spec.get("memory")).put("perClass", 20);
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(uri("/api/v1/experiments"))
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", "e2e-1")
                        .POST(HttpRequest.BodyPublishers.ofString(spec.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).get("id").asString();
        assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/experiments/" + id);

        HttpResponse<String> retried = http.send(
                HttpRequest.newBuilder(uri("/api/v1/experiments"))
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", "e2e-1")
                        .POST(HttpRequest.BodyPublishers.ofString(spec.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(retried.body()).get("id").asString()).isEqualTo(id);

        List<SseEvent> events = follow(id).get(5, TimeUnit.MINUTES);
        List<String> names = events.stream().map(SseEvent::name).toList();
        assertThat(names.stream().filter("phase-completed"::equals).count()).isEqualTo(5);
        assertThat(names.stream().filter("phase-started"::equals).count()).isEqualTo(5);
        assertThat(names).contains("progress").last().isEqualTo("experiment-succeeded");
        List<Integer> completedPhases = events.stream()
                .filter(e -> e.name().equals("phase-completed"))
                .map(e -> JSON.readTree(e.data()).get("phase").asInt())
                .toList();
        assertThat(completedPhases).containsExactly(0, 1, 2, 3, 4);

        JsonNode experiment = getJson("/api/v1/experiments/" + id);
        assertThat(experiment.get("status").asString()).isEqualTo("SUCCEEDED");
        JsonNode phases = getJson("/api/v1/experiments/" + id + "/phases");
        assertThat(phases.size()).isEqualTo(5);
        double mean = 0;
        for (JsonNode phase : phases) {
            mean += phase.get("accuracy").get("reported").asDouble() / phases.size();
        }
        JsonNode summary = experiment.get("summary");
        assertThat(summary.get("averageIncrementalAccuracy").asDouble())
                .isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-9));
        // ten classes at the end: a model that learned anything beats chance (0.1)
        assertThat(summary.get("lastAccuracy").asDouble()).isGreaterThan(0.1);
        JsonNode last = phases.get(4);
        assertThat(last.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(last.get("exemplarCount").asInt()).isEqualTo(200);

        Map<String, byte[]> exemplars = unzip(download("/api/v1/experiments/" + id + "/phases/4/exemplars"));
        JsonNode manifest = JSON.readTree(exemplars.get("manifest.json"));
        assertThat(manifest.get("exemplarCount").asInt()).isEqualTo(200);
        assertThat(exemplars.keySet().stream().filter(n -> n.endsWith(".png")).count())
                .isEqualTo(200);
        manifest.get("images")
                .forEach(image ->
                        assertThat(exemplars).containsKey(image.get("file").asString()));
        manifest.get("counts")
                .properties()
                .forEach(count -> assertThat(count.getValue().asInt()).isEqualTo(20));

        Map<String, byte[]> checkpoint = unzip(download("/api/v1/experiments/" + id + "/phases/4/checkpoint"));
        Path state = Files.createDirectories(temp.resolve("state"));
        for (var entry : checkpoint.entrySet()) {
            if (!entry.getKey().equals("manifest.json")) {
                Path file = state.resolve(entry.getKey()).normalize();
                assertThat(file.startsWith(state)).isTrue();
                Files.createDirectories(file.getParent());
                Files.write(file, entry.getValue());
            }
        }
        RunPlan plan = new RunPlan(
                JSON.treeToValue(experiment.get("spec"), ExperimentSpec.class),
                JSON.treeToValue(experiment.get("plan").get("classOrder"), List.class),
                JSON.readValue(
                        experiment.get("plan").get("phases").toString(),
                        JSON.getTypeFactory()
                                .constructCollectionType(
                                        List.class,
                                        JSON.getTypeFactory().constructCollectionType(List.class, Integer.class))),
                JSON.treeToValue(experiment.get("plan").get("classNames"), List.class));
        PhaseMetrics reloaded = engine.evaluate(plan, 4, state, Device.cpu());
        assertThat(reloaded.accuracy())
                .isCloseTo(last.get("accuracy").get("reported").asDouble(), org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void aanetsExampleRunsAsItIsAndItsPhasesShowTheAggregationWeights() throws Exception {
        ObjectNode spec = (ObjectNode)
                JSON.readTree(Files.readAllBytes(Path.of("examples/split-fashion-mnist-lucir-aanets.json")));
        // the example as shipped: 40 iterations per phase, less than one epoch, so α is learned once a phase
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(uri("/api/v1/experiments"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(spec.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).get("id").asString();
        List<SseEvent> events = follow(id).get(10, TimeUnit.MINUTES);
        assertThat(events.stream().map(SseEvent::name).toList()).last().isEqualTo("experiment-succeeded");
        List<JsonNode> completed = events.stream()
                .filter(e -> e.name().equals("phase-completed"))
                .map(e -> JSON.readTree(e.data()).get("metrics"))
                .toList();
        assertThat(completed).hasSize(3);
        // one α per level of ResNet-8
        assertThat(completed
                        .get(2)
                        .get("reports")
                        .get("aggregation")
                        .get("weights")
                        .get(0)
                        .size())
                .isEqualTo(3);

        JsonNode experiment = getJson("/api/v1/experiments/" + id);
        JsonNode aggregation = experiment.get("spec").get("model").get("aggregation");
        assertThat(aggregation.get("accumulateFusionGradients").asBoolean())
                .as("LUCIR's default")
                .isTrue();
        JsonNode phases = getJson("/api/v1/experiments/" + id + "/phases");
        assertThat(phases.get(0).path("reports").has("aggregation"))
                .as("phase 0 trains a single network")
                .isFalse();
        for (int phase = 1; phase < 3; phase++) {
            JsonNode report = phases.get(phase).get("reports").get("aggregation");
            assertThat(report.get("weights").size())
                    .as("epochs of phase " + phase)
                    .isEqualTo(1);
            assertThat(report.get("weights").get(0).size()).isEqualTo(3);
            // the derived learning rate; under 100 balanced images (new-class draws + 40 exemplars): one step
            assertThat(report.get("fusionLr").asDouble()).isPositive();
            assertThat(report.get("steps").asLong()).isEqualTo(1);
            assertThat(report.get("accumulated").asBoolean()).isTrue();
        }
    }

    @Test
    void fosterExampleRunsAsItIsWithItsBoostingAndCompressionStages() throws Exception {
        ObjectNode spec = (ObjectNode) JSON.readTree(Files.readAllBytes(Path.of("examples/split-mnist-foster.json")));
        // the example as shipped, shortened: 30 boosting iterations and one compression epoch per phase
        ((ObjectNode) spec.get("training")).put("iterations", 30);
        ((ObjectNode) spec.get("method")).put("compressionEpochs", 1);
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(uri("/api/v1/experiments"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(spec.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).get("id").asString();
        List<SseEvent> events = follow(id).get(10, TimeUnit.MINUTES);
        assertThat(events.stream().map(SseEvent::name).toList()).last().isEqualTo("experiment-succeeded");
        assertThat(events.stream().filter(e -> e.name().equals("phase-completed")))
                .hasSize(5);
        List<String> stages = events.stream()
                .filter(e -> e.name().equals("progress"))
                .map(e -> JSON.readTree(e.data()).get("stage").asString())
                .distinct()
                .toList();
        assertThat(stages).contains("train", "boosting", "compression");

        JsonNode experiment = getJson("/api/v1/experiments/" + id);
        assertThat(experiment.get("spec").get("method").get("compressionLr").asDouble())
                .isEqualTo(0.05);
        assertThat(experiment.get("spec").get("model").get("head").asString()).isEqualTo("linear");
        // the teacher is evaluated; the student the next phase starts from is reported beside it
        JsonNode phases = getJson("/api/v1/experiments/" + id + "/phases");
        assertThat(phases.get(0).path("reports").has("student")).isFalse();
        for (int phase = 1; phase < 5; phase++) {
            assertThat(phases.get(phase)
                            .get("reports")
                            .get("student")
                            .get("accuracy")
                            .asDouble())
                    .isBetween(0.0, 1.0);
        }
    }

    private JsonNode getJson(String path) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private byte[] download(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> response =
                http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return response.body();
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                if (!entry.isDirectory()) {
                    entries.put(entry.getName(), in.readAllBytes());
                }
            }
        }
        return entries;
    }

    /** Reads the SSE stream until it ends (the server closes it after the terminal event). */
    private CompletableFuture<List<SseEvent>> follow(String id) {
        HttpRequest request = HttpRequest.newBuilder(uri("/api/v1/experiments/" + id + "/events"))
                .header("Accept", "text/event-stream")
                .GET()
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).thenApply(response -> {
            assertThat(response.statusCode()).isEqualTo(200);
            List<SseEvent> events = new ArrayList<>();
            String[] current = new String[3];
            StringBuilder data = new StringBuilder();
            try (Stream<String> lines = response.body()) {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (line.isEmpty()) {
                        if (current[1] != null) {
                            events.add(new SseEvent(current[0], current[1], data.toString()));
                        }
                        current = new String[3];
                        data.setLength(0);
                    } else if (line.startsWith("id:")) {
                        current[0] = line.substring(3).trim();
                    } else if (line.startsWith("event:")) {
                        current[1] = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).trim());
                    }
                }
            }
            return events;
        });
    }
}
