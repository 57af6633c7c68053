package org.mnemos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.mnemos.artifacts.ArtifactsProperties;
import org.mnemos.artifacts.CheckpointUploads;
import org.mnemos.engine.model.interop.Dtype;
import org.mnemos.engine.model.interop.SafeTensors;
import org.mnemos.engine.model.interop.Tensor;
import org.mnemos.support.RawHttp;
import org.mnemos.support.TestDatabase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code POST /api/v1/checkpoints} and {@code model.init} over a real socket with API keys: a
 * checkpoint in PyCIL's layout is kept and a spec can start from it; hostile files are 4xx problems
 * naming the problem (and the tensor), and leave nothing behind. Its keys are its own: the database
 * is shared with the other tests, and a key's active runs are limited.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "mnemos.worker.enabled=false",
            "mnemos.limits.max-upload-bytes=1048576",
            "mnemos.security.api-keys[0].id=uploader",
            "mnemos.security.api-keys[0].key=uploader-secret",
            "mnemos.security.api-keys[0].scopes=read,write",
            "mnemos.security.api-keys[1].id=stranger",
            "mnemos.security.api-keys[1].key=stranger-secret",
            "mnemos.security.api-keys[1].scopes=read,write"
        })
class CheckpointUploadTest {

    /** Phase 0 of Split-MNIST learns 0 and 1 with an MLP of 8 hidden units. */
    private static final String SPEC = """
            {"name":"from-upload","dataset":{"name":"mnist"},
             "protocol":{"initialClasses":2,"increment":2,"classOrder":"natural"},
             "model":{"backbone":"mlp","hiddenUnits":[{{HIDDEN}}],"init":{"checkpoint":"{{CHECKPOINT}}","use":"phase0"}},"method":{"name":"replay"},
             "memory":{"perClass":5},"training":{"iterations":3,"batchSize":4,"optimizer":{"name":"adam","lr":0.01}}}""";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) throws IOException {
        TestDatabase.register(registry);
        Path store = Files.createTempDirectory("mnemos-upload-test-");
        registry.add("mnemos.artifacts.dir", store::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ArtifactsProperties artifacts;

    private static float[] random(int n, long seed) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian() * 0.05f;
        }
        return values;
    }

    /** What PyTorch writes for the phase-0 MLP: {@code convnet.hidden.0} (8 × 784) and a 2-class {@code fc}. */
    private static List<Tensor> mlpTensors() {
        return List.of(
                Tensor.float32("convnet.hidden.0.weight", new long[] {8, 784}, random(8 * 784, 1)),
                Tensor.float32("convnet.hidden.0.bias", new long[] {8}, random(8, 2)),
                Tensor.float32("fc.weight", new long[] {2, 8}, random(16, 3)),
                Tensor.float32("fc.bias", new long[] {2}, random(2, 4)));
    }

    private static byte[] file(List<Tensor> tensors, Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, tensors, metadata);
        return out.toByteArray();
    }

    private RawHttp.Response upload(String key, byte[] body) throws IOException {
        return RawHttp.send(
                port,
                "POST",
                "/api/v1/checkpoints",
                Map.of("X-API-Key", key, "Content-Type", "application/octet-stream"),
                body);
    }

    private String uploadId(byte[] body) throws IOException {
        RawHttp.Response created = upload("uploader-secret", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.body().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
    }

    private RawHttp.Response submit(String key, String checkpoint, int hidden) throws IOException {
        String spec = SPEC.replace("{{CHECKPOINT}}", checkpoint).replace("{{HIDDEN}}", Integer.toString(hidden));
        return RawHttp.send(
                port,
                "POST",
                "/api/v1/experiments",
                Map.of("X-API-Key", key, "Content-Type", "application/json"),
                spec.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aPyTorchCheckpointIsKeptAndARunStartsFromIt() throws Exception {
        String id = uploadId(file(mlpTensors(), Map.of("classes", "[0,1]", "format", "pt")));
        RawHttp.Response summary =
                RawHttp.send(port, "GET", "/api/v1/checkpoints/" + id, Map.of("X-API-Key", "uploader-secret"), null);
        assertThat(summary.status()).isEqualTo(200);
        assertThat(summary.body())
                .contains("\"name\":\"convnet.hidden.0.weight\"", "\"shape\":[8,784]", "\"classes\":\"[0,1]\"");
        assertThat(RawHttp.send(port, "GET", "/api/v1/checkpoints/" + id, Map.of("X-API-Key", "stranger-secret"), null)
                        .status())
                .as("another owner's upload is invisible")
                .isEqualTo(404);

        RawHttp.Response created = submit("uploader-secret", id, 8);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String experiment = created.body().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
        assertThat(jdbc.queryForObject(
                        "select resolved_spec->'model'->'init'->>'checkpoint' from experiments where id = ?::uuid",
                        String.class,
                        experiment))
                .isEqualTo(id);
        assertThat(jdbc.queryForObject(
                        "select resolved_spec->'model'->'init'->>'use' from experiments where id = ?::uuid",
                        String.class,
                        experiment))
                .isEqualTo("phase0");

        RawHttp.Response otherOwner = submit("stranger-secret", id, 8);
        assertProblem(otherOwner, 400, "model.init.checkpoint");
        assertThat(otherOwner.body()).contains("no uploaded checkpoint has the id");
        RawHttp.Response unknown = submit("uploader-secret", "../../etc/passwd", 8);
        assertProblem(unknown, 400, "model.init.checkpoint");
    }

    @Test
    void tensorsThatDoNotFitTheSpecsNetworkAreNamed() throws Exception {
        String fits = uploadId(file(mlpTensors(), Map.of("classes", "[0,1]")));
        RawHttp.Response narrower = submit("uploader-secret", fits, 16);
        assertProblem(narrower, 400, "model.init.checkpoint");
        assertThat(narrower.body()).contains("convnet.hidden.0.weight", "has shape [8, 784]", "needs [16, 784]");

        List<Tensor> doubles = new ArrayList<>(mlpTensors());
        doubles.set(3, new Tensor("fc.bias", Dtype.F64, new long[] {2}, new byte[16]));
        RawHttp.Response wrongDtype = submit("uploader-secret", uploadId(file(doubles, Map.of("classes", "[0,1]"))), 8);
        assertProblem(wrongDtype, 400, "model.init.checkpoint");
        assertThat(wrongDtype.body()).contains("fc.bias", "is F64");

        List<Tensor> renamed = new ArrayList<>(mlpTensors());
        Tensor weight = renamed.get(0);
        renamed.set(0, new Tensor("convnet.layers.0.weight", weight.dtype(), weight.shape(), weight.data()));
        RawHttp.Response mismatched = submit("uploader-secret", uploadId(file(renamed, Map.of("classes", "[0,1]"))), 8);
        assertProblem(mismatched, 400, "model.init.checkpoint");
        assertThat(mismatched.body()).contains("convnet.layers.0.weight", "is not a tensor of this network");

        RawHttp.Response noClasses = submit("uploader-secret", uploadId(file(mlpTensors(), Map.of())), 8);
        assertProblem(noClasses, 400, "model.init.checkpoint");
        assertThat(noClasses.body()).contains("__metadata__ has no 'classes'");
    }

    @Test
    void hostileUploadsAreProblemsAndLeaveNothingBehind() throws Exception {
        long rowsBefore = jdbc.queryForObject("select count(*) from checkpoints", Long.class);
        byte[] good = file(mlpTensors(), Map.of("classes", "[0,1]"));

        RawHttp.Response truncated = upload("uploader-secret", Arrays.copyOf(good, good.length - 100));
        assertProblem(truncated, 400, "convnet.hidden.0.bias");
        assertThat(truncated.body()).contains("truncated");
        assertProblem(upload("uploader-secret", Arrays.copyOf(good, 5)), 400, "body");
        assertProblem(upload("uploader-secret", new byte[0]), 400, "body");
        assertProblem(
                upload("uploader-secret", raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", 8)),
                400,
                "w");
        assertProblem(
                upload(
                        "uploader-secret",
                        raw(
                                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                                12)),
                400,
                "b");
        RawHttp.Response huge = upload(
                "uploader-secret",
                raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8));
        assertProblem(huge, 400, "w");
        assertThat(huge.body()).contains("too large");
        RawHttp.Response dtype = upload(
                "uploader-secret", raw("{\"w\":{\"dtype\":\"F8_E5M2\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2));
        assertProblem(dtype, 400, "w");
        assertThat(dtype.body()).contains("unknown dtype");
        byte[] lyingLength = good.clone();
        ByteBuffer.wrap(lyingLength).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE / 2);
        assertProblem(upload("uploader-secret", lyingLength), 400, "body");

        Map<String, String> octets = Map.of("X-API-Key", "uploader-secret", "Content-Type", "application/octet-stream");
        assertProblem(RawHttp.declareOnly(port, "POST", "/api/v1/checkpoints", octets, 64L << 20), 413, null);
        AtomicLong written = new AtomicLong();
        RawHttp.Response endless = RawHttp.chunked(port, "/api/v1/checkpoints", octets, 64L << 20, written);
        assertProblem(endless, 413, null);
        assertThat(written.get()).as("bytes the client got to send").isLessThan(64L << 20);
        assertThat(upload("stranger-secret", good).status())
                .as("a good file still uploads")
                .isEqualTo(201);

        assertThat(jdbc.queryForObject("select count(*) from checkpoints", Long.class))
                .isEqualTo(rowsBefore + 1);
        Path uploads = artifacts.dir().resolve(CheckpointUploads.DIRECTORY);
        try (Stream<Path> files = Files.list(uploads)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertThat(names)
                    .as("only accepted uploads, no partial files")
                    .allMatch(n -> n.endsWith(".safetensors"))
                    .hasSize(jdbc.queryForObject("select count(*) from checkpoints", Long.class)
                            .intValue());
        }
    }

    private static byte[] raw(String header, int dataBytes) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + dataBytes)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length)
                .put(json)
                .array();
    }

    private static void assertProblem(RawHttp.Response response, int status, String field) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.head().toLowerCase(java.util.Locale.ROOT))
                .contains("content-type: application/problem+json");
        assertThat(response.body())
                .contains("\"type\":\"https://mnemos.dev/problems/")
                .doesNotContain("Exception", "\tat ", "/root/", "/work/", "/home/");
        if (field != null) {
            assertThat(response.body()).contains("\"field\":\"" + field + "\"");
        }
    }
}
