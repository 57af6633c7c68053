package org.mnemos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.artifacts.ArtifactStore;
import org.mnemos.artifacts.CheckpointUploads;
import org.mnemos.artifacts.PhaseDownloads;
import org.mnemos.artifacts.S3ArtifactStore;
import org.mnemos.engine.model.interop.SafeTensors;
import org.mnemos.engine.model.interop.Tensor;
import org.mnemos.experiment.SpecReader;
import org.mnemos.support.InProcessS3;
import org.mnemos.support.TestDatabase;
import org.mnemos.support.TestExperiments;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The whole service with {@code mnemos.artifacts.store=s3} on an in-process S3-compatible server
 * (S3Proxy): a run keeps every phase's state and downloads in the bucket and a fork continues from them
 * to the source's numbers; an uploaded checkpoint lands in the bucket and is fetched back (sha256
 * checked) by a process without a local copy; a phase download is served from the bucket with the
 * sha256 as ETag and a 304 for a matching {@code If-None-Match}.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"mnemos.worker.heartbeat-seconds=2", "mnemos.worker.polling-seconds=1", "mnemos.worker.device=cpu"
        })
class S3ArtifactsApiTest {

    private static final String PREFIX = "api/";
    private static final JsonMapper JSON = SpecReader.json();
    /** Three phases of two classes (as ForksApiTest's source): iCaRL with exemplars, on synthetic images. */
    private static final String SPEC = """
            {"name":"on s3","seed":7,
             "dataset":{"name":"synthetic","syntheticClasses":6,"syntheticTrainPerClass":24,"syntheticTestPerClass":8,
               "syntheticImageSize":8,"syntheticChannels":1},
             "protocol":{"initialClasses":2,"increment":2},
             "model":{"backbone":"mlp","hiddenUnits":[32]},"method":{"name":"icarl"},"memory":{"perClass":4},
             "training":{"iterations":40,"batchSize":8,"augment":true,"optimizer":{"name":"sgd","lr":0.05,"momentum":0.9}}}""";

    private static final S3Client CLIENT = InProcessS3.client();
    private static String bucket;
    private static Path localDir;

    /** Its own database: other tests count every upload row of the shared one against their own directory. */
    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) throws IOException {
        String database = TestDatabase.freshDatabase("s3_api");
        registry.add("spring.datasource.url", () -> database);
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "postgres");
        localDir = Files.createTempDirectory("mnemos-s3-api-");
        registry.add("mnemos.artifacts.dir", localDir::toString);
        bucket = InProcessS3.register(registry, PREFIX);
    }

    @AfterAll
    static void closeClient() {
        CLIENT.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    CheckpointUploads checkpoints;

    @Autowired
    JdbcTemplate jdbc;

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<byte[]> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        headers.forEach(request::header);
        return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String submit(String spec) throws Exception {
        HttpResponse<String> created = send("POST", "/api/v1/experiments", spec);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).get("id").asString();
    }

    private void awaitSuccess(String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
        JsonNode run;
        do {
            Thread.sleep(500);
            run = JSON.readTree(send("GET", "/api/v1/experiments/" + id, null).body());
        } while (!List.of("SUCCEEDED", "FAILED", "CANCELLED")
                        .contains(run.get("status").asString())
                && System.nanoTime() < deadline);
        assertThat(run.get("status").asString()).as(run.toString()).isEqualTo("SUCCEEDED");
    }

    /** What each phase computed: accuracies, the memory and the state's digest. */
    private List<JsonNode> outcomes(String id) throws Exception {
        List<JsonNode> outcomes = new ArrayList<>();
        for (JsonNode phase : JSON.readTree(
                send("GET", "/api/v1/experiments/" + id + "/phases", null).body())) {
            ObjectNode outcome = JSON.createObjectNode();
            for (String field : List.of("index", "accuracy", "accuracyRow", "exemplarCount", "stateDigest")) {
                outcome.set(field, phase.get(field));
            }
            outcomes.add(outcome);
        }
        return outcomes;
    }

    private List<String> keys(String experiment) {
        return CLIENT
                .listObjectsV2Paginator(request -> request.bucket(bucket).prefix(PREFIX + experiment + "/"))
                .contents()
                .stream()
                .map(S3Object::key)
                .map(key -> key.substring(PREFIX.length()))
                .toList();
    }

    private byte[] object(String relative) {
        return CLIENT.getObjectAsBytes(request -> request.bucket(bucket).key(PREFIX + relative))
                .asByteArray();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aRunKeepsItsPhasesInTheBucketAndAForkContinuesFromThemToTheSameNumbers() throws Exception {
        String source = submit(SPEC);
        awaitSuccess(source);
        List<JsonNode> sourceOutcomes = outcomes(source);
        assertThat(sourceOutcomes).hasSize(3);
        assertThat(keys(source))
                .contains(
                        source + "/0/state.zip",
                        source + "/1/state.zip",
                        source + "/2/checkpoint.zip",
                        source + "/2/exemplars.zip");
        assertThat(localDir.resolve(source)).doesNotExist();

        // phase 0 shared by a server-side copy; phases 1 and 2 trained from the state read back from the bucket
        ObjectNode forkSpec = (ObjectNode) JSON.readTree(SPEC);
        forkSpec.set("from", JSON.createObjectNode().put("experiment", source).put("phase", 0));
        String fork = submit(JSON.writeValueAsString(forkSpec));
        awaitSuccess(fork);
        assertThat(outcomes(fork)).isEqualTo(sourceOutcomes);
        assertThat(keys(fork)).contains(fork + "/0/state.zip", fork + "/0/checkpoint.zip", fork + "/2/state.zip");

        assertThat(send("DELETE", "/api/v1/experiments/" + source, null).statusCode())
                .isEqualTo(204);
        assertThat(keys(source)).isEmpty();
        HttpResponse<byte[]> shared = get("/api/v1/experiments/" + fork + "/phases/0/checkpoint", Map.of());
        assertThat(shared.statusCode()).isEqualTo(200);
        assertThat(shared.headers().firstValue("ETag")).contains("\"" + sha256(shared.body()) + "\"");
    }

    @Test
    void anUploadedCheckpointIsKeptInTheBucketAndFetchedBackWhereThereIsNoLocalCopy() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        SafeTensors.write(
                file,
                List.of(
                        Tensor.float32("fc.weight", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}),
                        Tensor.float32("fc.bias", new long[] {2}, new float[] {0.5f, -0.5f})),
                Map.of("classes", "[0,1]"));
        byte[] body = file.toByteArray();

        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/checkpoints"))
                        .header("Content-Type", "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = created.body().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
        assertThat(created.body()).contains("\"sha256\":\"" + sha256(body) + "\"");

        String relative = CheckpointUploads.DIRECTORY + "/" + id + ".safetensors";
        assertThat(object(relative)).isEqualTo(body);

        Path local = localDir.resolve(relative);
        Files.delete(local);
        assertThat(checkpoints.locate(id)).isEqualTo(local).hasBinaryContent(body);

        byte[] tampered = body.clone();
        tampered[tampered.length - 1] ^= 1;
        CLIENT.putObject(request -> request.bucket(bucket).key(PREFIX + relative), RequestBody.fromBytes(tampered));
        Files.delete(local);
        assertThatThrownBy(() -> checkpoints.locate(id))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("sha256");
        assertThat(local).doesNotExist();
        assertThat(checkpoints.locate(UUID.randomUUID().toString())).isNull();
    }

    @Test
    void aPhaseDownloadComesFromTheBucketWithItsSha256AsETagAndA304WhenUnchanged() throws Exception {
        assertThat(store).isInstanceOf(S3ArtifactStore.class);
        UUID experiment = TestExperiments.insert(jdbc);
        Path checkpoint = Files.createDirectories(temp.resolve("checkpoint"));
        Files.writeString(checkpoint.resolve("state.json"), "{\"phase\":0}");
        Files.write(checkpoint.resolve("model.params"), new byte[] {1, 2, 3, 4});
        ArtifactStore.ArtifactRecord record = store.store(experiment, 0, PhaseDownloads.CHECKPOINT, checkpoint);
        String path = "/api/v1/experiments/" + experiment + "/phases/0/checkpoint";

        HttpResponse<byte[]> download = get(path, Map.of());

        assertThat(download.statusCode()).isEqualTo(200);
        String etag = "\"" + record.sha256() + "\"";
        assertThat(download.headers().firstValue("ETag")).contains(etag);
        assertThat(download.headers().firstValueAsLong("Content-Length")).hasValue(record.sizeBytes());
        assertThat(download.body()).isEqualTo(object(record.path()));
        assertThat(sha256(download.body())).isEqualTo(record.sha256());
        assertThat(localDir.resolve(experiment.toString())).doesNotExist();

        HttpResponse<byte[]> unchanged = get(path, Map.of("If-None-Match", etag));
        assertThat(unchanged.statusCode()).isEqualTo(304);
        assertThat(unchanged.headers().firstValue("ETag")).contains(etag);
        assertThat(unchanged.body()).isEmpty();

        assertThat(get(path, Map.of("If-None-Match", "\"" + "0".repeat(64) + "\""))
                        .statusCode())
                .isEqualTo(200);
    }
}
