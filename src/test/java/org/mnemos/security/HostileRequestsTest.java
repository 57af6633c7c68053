package org.mnemos.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mnemos.support.RawHttp;
import org.mnemos.support.TestDatabase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.yaml.snakeyaml.Yaml;

/**
 * The service over a real socket with API keys configured, as an attacker would try it: every
 * operation of the OpenAPI document under spellings of its path that Spring routes alike, bodies
 * that are huge or endless, NUL characters, duplicate keys, deep nesting, bad query encodings,
 * another owner's experiments and a burst of parallel submissions. Every answer is a 4xx problem,
 * never a 2xx or 5xx, and nothing is created, changed or deleted.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "mnemos.worker.enabled=false",
            "mnemos.limits.max-concurrent-runs-per-key=8",
            "mnemos.security.api-keys[0].id=reader",
            "mnemos.security.api-keys[0].key=reader-secret",
            "mnemos.security.api-keys[0].scopes=read",
            "mnemos.security.api-keys[1].id=writer",
            "mnemos.security.api-keys[1].key=writer-secret",
            "mnemos.security.api-keys[1].scopes=read,write",
            "mnemos.security.api-keys[2].id=other",
            "mnemos.security.api-keys[2].key=other-secret",
            "mnemos.security.api-keys[2].scopes=read,write",
            "mnemos.security.api-keys[3].id=operator",
            "mnemos.security.api-keys[3].key=admin-secret",
            "mnemos.security.api-keys[3].scopes=read,write,admin",
            "mnemos.security.api-keys[4].id=racer",
            "mnemos.security.api-keys[4].key=racer-secret",
            "mnemos.security.api-keys[4].scopes=read,write"
        })
class HostileRequestsTest {

    static final String SPEC = """
            {"name":"target","dataset":{"name":"mnist"},
             "protocol":{"initialClasses":2,"increment":2,"classOrder":"natural"},
             "model":{"backbone":"mlp","hiddenUnits":[8]},"method":{"name":"replay"},
             "memory":{"perClass":5},"training":{"iterations":3,"batchSize":4,"optimizer":{"name":"adam","lr":0.01}}}""";

    /** Spellings of a path that Spring routes to the same handler, and tricks that lean on the open paths. */
    static List<String> variants(String path) {
        String rest = path.substring("/api".length());
        return List.of(
                path,
                "/api;x=1" + rest,
                "/api;" + rest,
                "/%61pi" + rest,
                "/ap%69" + rest,
                "/api/v1;jsessionid=1" + rest.substring("/v1".length()),
                "/%61%70%69" + rest,
                "//api" + rest,
                "/v3/api-docs/..;/..;" + path,
                "/swagger-ui/..;/..;" + path,
                "/actuator/health/../.." + path,
                "/actuator/health;/../.." + path);
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    String experimentId;

    @BeforeEach
    void submitATarget() throws Exception {
        RawHttp.Response created = post("/api/v1/experiments", "writer-secret", SPEC);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        experimentId = created.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
    }

    @Test
    void noSpellingOfAnyOperationsPathReachesItWithoutAKeyOrWithTooFewScopes() throws Exception {
        long experimentsBefore = count("experiments");
        String statusBefore = status(experimentId);
        int tried = 0;
        for (Operation operation : operations()) {
            for (String target : variants(operation.path())) {
                RawHttp.Response anonymous = request(operation.method(), target, Map.of());
                assertRefused(anonymous, 401, operation + " at " + target);
                if (!operation.method().equals("GET")) {
                    RawHttp.Response readOnly =
                            request(operation.method(), target, Map.of("X-API-Key", "reader-secret"));
                    assertRefused(readOnly, 403, operation + " with a read key at " + target);
                }
                tried++;
            }
        }
        assertThat(tried).isGreaterThanOrEqualTo(11 * 12);
        assertThat(count("experiments")).isEqualTo(experimentsBefore);
        assertThat(status(experimentId)).isEqualTo(statusBefore);
    }

    @Test
    void openPathsStayOpenForReadsOnly() throws Exception {
        assertThat(request("GET", "/v3/api-docs", Map.of()).status()).isEqualTo(200);
        assertThat(request("GET", "/actuator/health/liveness", Map.of()).status())
                .isEqualTo(200);
        assertThat(request("POST", "/v3/api-docs", Map.of()).status()).isEqualTo(401);
        // the dashboard's files: GET and HEAD only
        assertThat(request("GET", "/", Map.of()).status()).isEqualTo(200);
        assertThat(request("GET", "/dashboard/app.js", Map.of()).status()).isEqualTo(200);
        assertThat(request("GET", "/webjars/uplot/1.6.30/dist/uPlot.esm.js", Map.of())
                        .status())
                .isEqualTo(200);
        assertThat(request("POST", "/", Map.of()).status()).isEqualTo(401);
        assertThat(request("DELETE", "/dashboard/app.js", Map.of()).status()).isEqualTo(401);
    }

    @Test
    void anotherOwnersExperimentIsInvisibleAndUntouchableUnlessTheKeyIsAdmin() throws Exception {
        String path = "/api/v1/experiments/" + experimentId;
        for (String target : List.of(
                path,
                path + "/phases",
                path + "/events",
                path + "/phases/0/exemplars",
                path + "/phases/0/checkpoint",
                path + "/phases/0/exemplars/images",
                path + "/phases/0/exemplars/images/0.png",
                path + "/phases/0/exemplars/images/0/heatmap.png",
                path + "/phases/0/exemplars/images/0/original.png")) {
            assertThat(request("GET", target, Map.of("X-API-Key", "other-secret"))
                            .status())
                    .as(target)
                    .isEqualTo(404);
        }
        assertThat(post(path + "/cancel", "other-secret", "").status()).isEqualTo(404);
        assertThat(post(path + "/resume", "other-secret", "").status()).isEqualTo(404);
        assertThat(request("DELETE", path, Map.of("X-API-Key", "other-secret")).status())
                .isEqualTo(404);
        assertThat(request("GET", "/api/v1/experiments?limit=100", Map.of("X-API-Key", "other-secret"))
                        .body())
                .doesNotContain(experimentId);
        assertThat(status(experimentId)).isEqualTo("QUEUED");

        assertThat(request("GET", "/api/v1/experiments?limit=100", Map.of("X-API-Key", "writer-secret"))
                        .body())
                .contains(experimentId);
        assertThat(request("GET", "/api/v1/experiments?limit=100", Map.of("X-API-Key", "admin-secret"))
                        .body())
                .contains(experimentId);
        assertThat(request("GET", path, Map.of("X-API-Key", "admin-secret")).status())
                .isEqualTo(200);
        assertThat(post(path + "/cancel", "admin-secret", "").status()).isEqualTo(200);
        assertThat(status(experimentId)).isEqualTo("CANCELLED");
    }

    @Test
    void hugeBodiesAreRefusedBeforeTheyAreRead() throws Exception {
        Map<String, String> json = Map.of("X-API-Key", "writer-secret", "Content-Type", "application/json");
        RawHttp.Response declared = RawHttp.declareOnly(port, "POST", "/api/v1/experiments", json, 64L << 20);
        assertThat(declared.status()).isEqualTo(413);
        assertProblem(declared);

        AtomicLong written = new AtomicLong();
        RawHttp.Response endless = RawHttp.chunked(port, "/api/v1/experiments", json, 64L << 20, written);
        assertThat(endless.status()).isEqualTo(413);
        assertProblem(endless);
        assertThat(written.get()).as("bytes the client got to send").isLessThan(64L << 20);

        RawHttp.Response anonymous = RawHttp.declareOnly(
                port, "POST", "/api;/v1/experiments", Map.of("Content-Type", "application/json"), 64L << 20);
        assertThat(anonymous.status()).isIn(401, 413);
    }

    @Test
    void hostileBodiesAreProblemsNamingTheField() throws Exception {
        assertInvalid(SPEC.replace("\"target\"", "\"tar\\u0000get\""), 400, "name");
        assertInvalid(SPEC.replace("\"target\"", "\"line\\nforged INFO line\""), 400, "name");
        assertInvalid(SPEC.replace("\"target\"", "-1"), 400, "name");
        assertInvalid(SPEC.replace("\"target\"", "true"), 400, "name");
        assertInvalid(SPEC.replace("\"name\":\"target\",", "\"name\":\"a\",\"name\":\"b\","), 400, "name");
        assertInvalid(SPEC.replace("\"mlp\"", "\"ml\\u0000p\""), 400, "model.backbone");
        assertInvalid(withResources("{\"pool\":\"gpu-nowhere\"}"), 400, "resources.pool");
        assertThat(post("/api/v1/experiments", "writer-secret", withResources("{\"pool\":\"gpu-nowhere\"}"))
                        .body())
                .contains("unknown pool 'gpu-nowhere'");
        assertInvalid(withResources("{\"pool\":7}"), 400, "resources.pool");
        assertInvalid(withResources("{\"pool\":\"GPU/../x\"}"), 400, "resources.pool");
        assertInvalid(withResources("{\"pool\":\"any\"}"), 400, "resources.pool");
        assertInvalid(withResources("{\"pools\":\"gpu\"}"), 400, "resources.pools");
        assertInvalid(withResources("\"gpu\""), 400, "resources");
        for (String priority : List.of("101", "-101", "\"high\"", "1.5", "1e12", "99999999999")) {
            assertInvalid(withResources("{\"priority\":" + priority + "}"), 400, "resources.priority");
        }
        RawHttp.Response controlInHeader = RawHttp.send(
                port,
                "POST",
                "/api/v1/experiments",
                Map.of("X-API-Key", "writer-secret", "Content-Type", "application/json", "Idempotency-Key", "a\u0001b"),
                SPEC.getBytes(StandardCharsets.UTF_8));
        assertThat(controlInHeader.status()).isEqualTo(400);
        RawHttp.Response controlInGroupKey = RawHttp.send(
                port,
                "POST",
                "/api/v1/groups",
                Map.of("X-API-Key", "writer-secret", "Content-Type", "application/json", "Idempotency-Key", "a\u0001b"),
                ("{\"name\":\"g\",\"seeds\":[1],\"arms\":[{\"label\":\"a\",\"spec\":" + SPEC + "}]}")
                        .getBytes(StandardCharsets.UTF_8));
        // Tomcat's header parser refuses the control character before the application sees the request
        assertThat(controlInGroupKey.status()).isEqualTo(400);
        assertThat(controlInGroupKey.body()).doesNotContain("Exception").doesNotContain("/work");
        assertInvalid("[".repeat(30_000) + "]".repeat(30_000), 400, null);
        assertInvalid("{\"a\":".repeat(6_000) + "1" + "}".repeat(6_000), 400, null);
    }

    @Test
    void malformedQueriesAndTheErrorPageAre4xx() throws Exception {
        Map<String, String> key = Map.of("X-API-Key", "writer-secret");
        for (String target : List.of(
                "/api/v1/experiments?cursor=%%%",
                "/api/v1/experiments?cursor=%00%ff",
                "/api/v1/experiments?cursor=%ff",
                "/api/v1/experiments?cursor=abc",
                "/api/v1/experiments?status=%00",
                "/api/v1/experiments?limit=%zz")) {
            RawHttp.Response response = request("GET", target, key);
            assertThat(response.status()).as(target + ": " + response.body()).isEqualTo(400);
            assertProblem(response);
        }
        for (String target : List.of("/error", "/error;x", "/%65rror")) {
            RawHttp.Response response = request("GET", target, key);
            assertThat(response.status()).as(target).isBetween(400, 499);
        }
    }

    @Test
    void malformedExemplarImagePathsAreProblemsNeverServerErrors() throws Exception {
        Map<String, String> key = Map.of("X-API-Key", "writer-secret");
        String images = "/api/v1/experiments/" + experimentId + "/phases/0/exemplars/images/";
        for (String target : List.of(
                images + "abc.png",
                images + "99999999999.png",
                images + "abc/heatmap.png",
                images + "99999999999/original.png",
                images + "0/%2e%2e.png",
                images + "0/heatmap.png.png",
                images + "-0/original.png",
                "/api/v1/experiments/" + experimentId + "/phases/x/exemplars/images/0/heatmap.png")) {
            RawHttp.Response response = request("GET", target, key);
            assertThat(response.status()).as(target + ": " + response.body()).isIn(400, 404);
            assertProblem(response);
        }
        // Tomcat refuses a NUL, an encoded slash or invalid UTF-8 in the path before any filter or route: a plain 400
        for (String target :
                List.of(images + "0/heatmap%00.png", images + "0/..%2Fmanifest.png", images + "0/%ff.png")) {
            assertThat(request("GET", target, key).status()).as(target).isEqualTo(400);
        }
    }

    @Test
    void aMissingDataSetIsRefusedAtSubmitWithoutServerPaths() throws Exception {
        RawHttp.Response response =
                post("/api/v1/experiments", "writer-secret", SPEC.replace("\"mnist\"", "\"cifar10\""));
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body())
                .contains("\"field\":\"dataset.name\"", "cifar-10", "data_batch_1", "<data root 1>")
                .doesNotContain(
                        Path.of("../shared/data").toAbsolutePath().normalize().toString());
    }

    @Test
    void parallelSubmissionsCannotExceedTheActiveRunLimit() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Callable<Integer> submit =
                        () -> post("/api/v1/experiments", "racer-secret", SPEC).status();
                answers.add(pool.submit(submit));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> answer : answers) {
                statuses.add(answer.get());
            }
            assertThat(statuses).containsOnly(201, 429);
            assertThat(statuses.stream().filter(s -> s == 201).count()).isEqualTo(8);
            assertThat(jdbc.queryForObject("select count(*) from experiments where owner_key = 'racer'", Long.class))
                    .isEqualTo(8);
        } finally {
            pool.shutdownNow();
        }
    }

    record Operation(String method, String path) {}

    /** Every operation of the published contract, with the target experiment and phase 0 filled in. */
    List<Operation> operations() throws Exception {
        Map<String, Object> document = new Yaml().load(Files.readString(Path.of("openapi/openapi.yaml")));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) document.get("paths");
        List<Operation> operations = new ArrayList<>();
        paths.forEach((path, methods) -> methods.keySet()
                .forEach(method -> operations.add(new Operation(
                        method.toUpperCase(java.util.Locale.ROOT),
                        path.replace("{id}", experimentId).replace("{index}", "0")))));
        assertThat(operations).hasSizeGreaterThanOrEqualTo(11);
        return operations;
    }

    /**
     * Refused by the API with {@code status}, or, for dot segments that climb above the root,
     * already by Tomcat with a bare 400 before any filter or controller runs.
     */
    private static void assertRefused(RawHttp.Response response, int status, String what) {
        if (response.status() == 400 && response.body().contains("HTTP Status 400")) {
            return;
        }
        assertThat(response.status()).as(what + ": " + response.body()).isEqualTo(status);
        assertProblem(response);
    }

    private static String withResources(String resources) {
        return SPEC.replace("\"name\":\"target\",", "\"name\":\"target\",\"resources\":" + resources + ",");
    }

    private void assertInvalid(String body, int status, String field) throws Exception {
        RawHttp.Response response = post("/api/v1/experiments", "writer-secret", body);
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertProblem(response);
        if (field != null) {
            assertThat(response.body()).contains("\"" + field + "\"");
        }
    }

    private static void assertProblem(RawHttp.Response response) {
        assertThat(response.head().toLowerCase(java.util.Locale.ROOT))
                .contains("content-type: application/problem+json");
        assertThat(response.body())
                .contains("\"type\":\"https://mnemos.dev/problems/")
                .doesNotContain("Exception", "\tat ", "/root/", "/work/", "/home/");
    }

    private RawHttp.Response request(String method, String target, Map<String, String> headers) throws Exception {
        byte[] body = method.equals("POST") ? new byte[0] : null;
        Map<String, String> all = new java.util.LinkedHashMap<>(headers);
        if (body != null) {
            all.put("Content-Type", "application/json");
        }
        return RawHttp.send(port, method, target, all, body);
    }

    private RawHttp.Response post(String target, String key, String json) throws Exception {
        return RawHttp.send(
                port,
                "POST",
                target,
                Map.of("X-API-Key", key, "Content-Type", "application/json"),
                json.getBytes(StandardCharsets.UTF_8));
    }

    private long count(String table) {
        return jdbc.queryForObject("select count(*) from " + table, Long.class);
    }

    private String status(String id) {
        return jdbc.queryForObject("select status from experiments where id = ?::uuid", String.class, id);
    }
}
