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

/**
 * The whole service with {@code mnemos.artifacts.store=s3} on an in-process S3-compatible server
 * (S3Proxy): an uploaded checkpoint lands in the bucket and is fetched back (sha256 checked) by a process
 * without a local copy; a phase download is served from the bucket with the sha256 as ETag and a 304 for
 * a matching {@code If-None-Match}.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"mnemos.worker.enabled=false"})
class S3ArtifactsApiTest {

    private static final String PREFIX = "api/";
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

    private byte[] object(String relative) {
        return CLIENT.getObjectAsBytes(request -> request.bucket(bucket).key(PREFIX + relative))
                .asByteArray();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
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
