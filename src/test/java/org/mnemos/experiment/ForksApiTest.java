package org.mnemos.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.mnemos.support.TestDatabase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Through HTTP with the real engine on a worker with two slots: two runs of one spec at the same
 * time equal the same spec run alone, phase by phase, in metrics and state digests; a fork of a
 * finished phase reuses it (same metrics and digest, a phase-reused event, no phase-started) and a
 * fork that continues exactly as the source did trains the later phases to the source's numbers;
 * hostile forks are 4xx problems naming the field.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "mnemos.worker.heartbeat-seconds=2",
            "mnemos.worker.polling-seconds=1",
            "mnemos.worker.device=cpu",
            "mnemos.worker.slots=2",
            "mnemos.artifacts.dir=target/forks-artifacts",
            "mnemos.limits.max-concurrent-runs-per-key=20",
            "mnemos.security.api-keys[0].id=alice",
            "mnemos.security.api-keys[0].key=" + ForksApiTest.ALICE,
            "mnemos.security.api-keys[0].scopes=read,write",
            "mnemos.security.api-keys[1].id=bob",
            "mnemos.security.api-keys[1].key=" + ForksApiTest.BOB,
            "mnemos.security.api-keys[1].scopes=read,write"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ForksApiTest {

    static final String ALICE = "alice-forks-key";
    static final String BOB = "bob-forks-key";
    private static final JsonMapper JSON = SpecReader.json();
    /** Three phases of two classes; iCaRL draws in its initialisation, shuffles, augmentation and herding. */
    private static final String SPEC = """
            {"name":"fork source","seed":7,
             "dataset":{"name":"synthetic","syntheticClasses":6,"syntheticTrainPerClass":24,"syntheticTestPerClass":8,
               "syntheticImageSize":8,"syntheticChannels":1},
             "protocol":{"initialClasses":2,"increment":2},
             "model":{"backbone":"mlp","hiddenUnits":[32]},"method":{"name":"icarl"},"memory":{"perClass":4},
             "training":{"iterations":40,"batchSize":8,"augment":true,"optimizer":{"name":"sgd","lr":0.05,"momentum":0.9}}}""";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private String source;

    private HttpResponse<String> send(String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-API-Key", key)
                .timeout(Duration.ofSeconds(60));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(String path) throws Exception {
        HttpResponse<String> response = send("GET", path, null, ALICE);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static String spec(Consumer<ObjectNode> change) {
        ObjectNode spec = (ObjectNode) JSON.readTree(SPEC);
        change.accept(spec);
        return JSON.writeValueAsString(spec);
    }

    private static Consumer<ObjectNode> from(String experiment, int phase) {
        return spec -> spec.set(
                "from", JSON.createObjectNode().put("experiment", experiment).put("phase", phase));
    }

    private String submit(String body) throws Exception {
        HttpResponse<String> created = send("POST", "/api/v1/experiments", body, ALICE);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).get("id").asString();
    }

    private JsonNode finished(String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
        JsonNode run = json("/api/v1/experiments/" + id);
        while (!List.of("SUCCEEDED", "FAILED", "CANCELLED")
                        .contains(run.get("status").asString())
                && System.nanoTime() < deadline) {
            Thread.sleep(500);
            run = json("/api/v1/experiments/" + id);
        }
        assertThat(run.get("status").asString()).as(run.toString()).isEqualTo("SUCCEEDED");
        return run;
    }

    /** What a phase computed: accuracies, the accuracy row, per-class accuracies, the memory and the state's digest. */
    private static JsonNode outcome(JsonNode phase) {
        ObjectNode outcome = JSON.createObjectNode();
        for (String field : List.of(
                "index",
                "classes",
                "accuracy",
                "accuracyRow",
                "perClassAccuracy",
                "exemplarCount",
                "memoryBytes",
                "stateDigest")) {
            outcome.set(field, phase.get(field));
        }
        return outcome;
    }

    private List<JsonNode> outcomes(String id) throws Exception {
        List<JsonNode> outcomes = new ArrayList<>();
        json("/api/v1/experiments/" + id + "/phases").forEach(phase -> outcomes.add(outcome(phase)));
        return outcomes;
    }

    private List<String> events(String id, String type) {
        return jdbc.queryForList(
                "select data::text from events where experiment_id = ?::uuid and type = ? order by seq",
                String.class,
                id,
                type);
    }

    @Test
    @Order(1)
    void twoRunsOfOneSpecAtOnceOnATwoSlotWorkerEqualTheRunAlone() throws Exception {
        source = submit(SPEC);
        finished(source);
        List<JsonNode> alone = outcomes(source);
        assertThat(alone)
                .hasSize(3)
                .allSatisfy(
                        phase -> assertThat(phase.get("stateDigest").asString()).hasSize(64));

        String first = submit(spec(s -> s.put("name", "twin 1")));
        String second = submit(spec(s -> s.put("name", "twin 2")));
        finished(first);
        finished(second);
        assertThat(outcomes(first)).isEqualTo(alone);
        assertThat(outcomes(second)).isEqualTo(alone);

        // the two slots ran them at the same time: some phases of the twins overlap
        JsonNode a = json("/api/v1/experiments/" + first + "/phases");
        JsonNode b = json("/api/v1/experiments/" + second + "/phases");
        boolean overlap = false;
        for (JsonNode p : a) {
            for (JsonNode q : b) {
                overlap |= Instant.parse(p.get("startedAt").asString())
                                .isBefore(Instant.parse(q.get("completedAt").asString()))
                        && Instant.parse(q.get("startedAt").asString())
                                .isBefore(Instant.parse(p.get("completedAt").asString()));
            }
        }
        assertThat(overlap).as("phases of the twins ran at the same time").isTrue();
    }

    @Test
    @Order(2)
    void aForkOfPhaseZeroIntoTwoArmsReusesItAndAnExactContinuationTrainsTheSourcesLaterPhases() throws Exception {
        List<JsonNode> sourcePhases = outcomes(source);
        JsonNode sourcePhase0 =
                json("/api/v1/experiments/" + source + "/phases").get(0);

        String same = submit(spec(from(source, 0).andThen(s -> s.put("name", "same continuation"))));
        // finer increments after phase 0: the phases it reuses are the same, the rest differ
        String finer = submit(spec(from(source, 0).andThen(s -> ((ObjectNode) s.get("protocol")).put("increment", 1))));

        for (String fork : List.of(same, finer)) {
            JsonNode phase0 = json("/api/v1/experiments/" + fork + "/phases").get(0);
            assertThat(outcome(phase0)).isEqualTo(sourcePhases.get(0));
            assertThat(phase0.get("reusedFrom").asString()).isEqualTo(source);
            assertThat(phase0.get("worker")).isEqualTo(sourcePhase0.get("worker"));
            assertThat(phase0.get("startedAt")).isEqualTo(sourcePhase0.get("startedAt"));
            JsonNode run = finished(fork);
            assertThat(run.get("forkedFrom").get("experiment").asString()).isEqualTo(source);
            assertThat(run.get("forkedFrom").get("phase").asInt()).isZero();
            // no worker ran phase 0 here: it was reused, and training started at phase 1
            assertThat(events(fork, "phase-reused"))
                    .hasSize(1)
                    .allSatisfy(data ->
                            assertThat(JSON.readTree(data).get("phase").asInt()).isZero());
            assertThat(events(fork, "phase-started"))
                    .isNotEmpty()
                    .allSatisfy(data ->
                            assertThat(JSON.readTree(data).get("phase").asInt()).isPositive());
        }
        assertThat(outcomes(same)).isEqualTo(sourcePhases);
        assertThat(json("/api/v1/experiments/" + same).get("summary"))
                .isEqualTo(json("/api/v1/experiments/" + source).get("summary"));
        assertThat(outcomes(finer)).hasSize(5);
        assertThat(outcomes(finer).get(1)).isNotEqualTo(sourcePhases.get(1));

        // a fork of a fork reuses the same phases; deleting the source leaves the forks' shared files
        String grandchild = submit(spec(from(same, 1)));
        JsonNode reused = json("/api/v1/experiments/" + grandchild + "/phases");
        assertThat(outcome(reused.get(1))).isEqualTo(sourcePhases.get(1));
        assertThat(reused.get(0).get("reusedFrom").asString()).isEqualTo(source);
        assertThat(reused.get(1).get("reusedFrom").asString()).isEqualTo(same);
        finished(grandchild);
        assertThat(outcomes(grandchild)).isEqualTo(sourcePhases);
        evaluationFiguresAreExported(grandchild);
        assertThat(send("DELETE", "/api/v1/experiments/" + source, null, ALICE).statusCode())
                .isEqualTo(204);
        HttpResponse<String> checkpoint =
                send("GET", "/api/v1/experiments/" + same + "/phases/0/checkpoint", null, ALICE);
        assertThat(checkpoint.statusCode()).as(checkpoint.body()).isEqualTo(200);
        assertThat(outcomes(same)).isEqualTo(sourcePhases);
        assertThat(send("DELETE", "/api/v1/experiments/" + finer, null, ALICE).statusCode())
                .isEqualTo(204);
        assertThat(send("GET", "/api/v1/experiments/" + same + "/phases/0/exemplars", null, ALICE)
                        .statusCode())
                .isEqualTo(200);
        source = same;
    }

    /** Top-5 from six seen classes on, the confusion matrices as CSV with rows summing to the test images per class. */
    private void evaluationFiguresAreExported(String id) throws Exception {
        JsonNode rows = json("/api/v1/experiments/" + id + "/results");
        List<JsonNode> top5 = new ArrayList<>();
        rows.forEach(row -> {
            if (row.get("metric").asString().equals("top5_accuracy")) {
                top5.add(row);
            }
        });
        // six classes are seen in phase 2 only; iCaRL evaluates both classifiers
        assertThat(top5).hasSize(2).allSatisfy(row -> {
            assertThat(row.get("phase").asInt()).isEqualTo(2);
            assertThat(row.get("value").asDouble()).isBetween(0.0, 1.0);
        });
        // task-aware accuracy for every phase and both classifiers, as the phase view reports it; in phase 0 it is
        // top-1
        JsonNode phases = json("/api/v1/experiments/" + id + "/phases");
        List<JsonNode> taskAware = new ArrayList<>();
        rows.forEach(row -> {
            if (row.get("metric").asString().equals("task_aware_accuracy")) {
                taskAware.add(row);
            }
        });
        assertThat(taskAware).hasSize(6).allSatisfy(row -> {
            JsonNode phase = phases.get(row.get("phase").asInt());
            String classifier = row.get("classifier").asString();
            assertThat(row.get("value").asDouble())
                    .isEqualTo(phase.get("reports")
                            .get("evaluation")
                            .get(classifier)
                            .get("taskAwareAccuracy")
                            .asDouble());
            assertThat(row.get("value").asDouble())
                    .isGreaterThanOrEqualTo(
                            phase.get("accuracy").get(classifier).asDouble());
            if (row.get("phase").asInt() == 0) {
                assertThat(row.get("value").asDouble())
                        .isEqualTo(phase.get("accuracy").get(classifier).asDouble());
            }
        });
        // model and exemplar bytes: the exemplars are the phase's memoryBytes, the head grows with the classes
        long previousModelBytes = 0;
        for (JsonNode phase : phases) {
            JsonNode footprint = phase.get("reports").get("footprint");
            long modelBytes = footprint.get("modelBytes").asLong();
            assertThat(modelBytes).isGreaterThan(previousModelBytes);
            assertThat(footprint.get("exemplarBytes").asLong())
                    .isEqualTo(phase.get("memoryBytes").asLong());
            assertThat(footprint.get("totalBytes").asLong())
                    .isEqualTo(modelBytes + phase.get("memoryBytes").asLong());
            previousModelBytes = modelBytes;
            for (String[] metric :
                    new String[][] {{"model_bytes", "modelBytes"}, {"model_and_exemplar_bytes", "totalBytes"}}) {
                List<JsonNode> exported = new ArrayList<>();
                rows.forEach(row -> {
                    if (row.get("metric").asString().equals(metric[0])
                            && row.get("phase").asInt() == phase.get("index").asInt()) {
                        exported.add(row);
                    }
                });
                assertThat(exported)
                        .singleElement()
                        .satisfies(row -> assertThat(row.get("value").asDouble())
                                .isEqualTo(footprint.get(metric[1]).asDouble()));
            }
        }
        for (String classifier : List.of("cnn", "nme")) {
            HttpResponse<String> csv = send(
                    "GET", "/api/v1/experiments/" + id + "/phases/2/confusion?classifier=" + classifier, null, ALICE);
            assertThat(csv.statusCode()).as(csv.body()).isEqualTo(200);
            String[] lines = csv.body().split("\r\n");
            assertThat(lines).hasSize(7);
            assertThat(lines[0]).startsWith("true_class,");
            for (int i = 1; i < lines.length; i++) {
                String[] cells = lines[i].split(",");
                assertThat(cells).hasSize(7);
                int sum = 0;
                for (int c = 1; c < cells.length; c++) {
                    sum += Integer.parseInt(cells[c]);
                }
                assertThat(sum).as(lines[i]).isEqualTo(8);
            }
        }
        assertThat(send("GET", "/api/v1/experiments/" + id + "/phases/2/confusion?classifier=knn", null, ALICE)
                        .body())
                .contains("\"field\":\"classifier\"");
        assertThat(send("GET", "/api/v1/experiments/" + id + "/phases/2/confusion?format=json", null, ALICE)
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("GET", "/api/v1/experiments/" + id + "/phases/9/confusion", null, ALICE)
                        .statusCode())
                .isEqualTo(404);
        assertThat(send("GET", "/api/v1/experiments/" + id + "/phases/x/confusion", null, ALICE)
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("GET", "/api/v1/experiments/" + id + "/phases/2/confusion", null, BOB)
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    @Order(3)
    void hostileForksAreProblemsNamingTheField() throws Exception {
        String cancelled = submit(spec(s -> s.put("name", "cancelled at once")));
        assertThat(send("POST", "/api/v1/experiments/" + cancelled + "/cancel", null, ALICE)
                        .statusCode())
                .isEqualTo(200);

        Object[][] cases = {
            {spec(s -> s.put("from", "x")), 400, "from"},
            {spec(s -> s.set("from", JSON.createObjectNode().put("phase", 0))), 400, "from.experiment"},
            {
                spec(s -> s.set(
                        "from",
                        JSON.createObjectNode().put("experiment", "not-a-uuid").put("phase", 0))),
                400,
                "from.experiment"
            },
            {
                spec(s -> s.set(
                        "from", JSON.createObjectNode().put("experiment", 12).put("phase", 0))),
                400,
                "from.experiment"
            },
            {spec(s -> s.set("from", JSON.createObjectNode().put("experiment", source))), 400, "from.phase"},
            {spec(from(source, -1)), 400, "from.phase"},
            {
                spec(s -> s.set(
                        "from",
                        JSON.createObjectNode().put("experiment", source).put("phase", "0"))),
                400,
                "from.phase"
            },
            {
                spec(s -> s.set(
                        "from",
                        JSON.createObjectNode().put("experiment", source).put("phase", 0.5))),
                400,
                "from.phase"
            },
            {
                spec(s -> s.set(
                        "from",
                        JSON.createObjectNode()
                                .put("experiment", source)
                                .put("phase", 0)
                                .put("extra", 1))),
                400,
                "from.extra"
            },
            {spec(from("00000000-0000-0000-0000-000000000001", 0)), 404, "from.experiment"},
            // beyond the run, its last phase, a phase that never completed
            {spec(from(source, 3)), 400, "from.phase"},
            {spec(from(source, 2)), 400, "from.phase"},
            {spec(from(cancelled, 1)), 400, "from.phase"},
            // what determines the reused phases, field by field
            {spec(from(source, 0).andThen(s -> s.put("seed", 8))), 400, "seed"},
            {
                spec(from(source, 0)
                        .andThen(s -> ((ObjectNode) s.get("training").get("optimizer")).put("lr", 0.1))),
                400,
                "training.optimizer.lr"
            },
            {
                spec(from(source, 0).andThen(s -> ((ObjectNode) s.get("dataset")).put("syntheticTrainPerClass", 20))),
                400,
                "dataset.syntheticTrainPerClass"
            },
            {
                spec(from(source, 0)
                        .andThen(s -> ((ObjectNode) s.get("model"))
                                .set("hiddenUnits", JSON.createArrayNode().add(16)))),
                400,
                "model.hiddenUnits[0]"
            },
            {
                spec(from(source, 0).andThen(s -> ((ObjectNode) s.get("method")).put("name", "replay"))),
                400,
                "method.name"
            },
            {
                spec(from(source, 0).andThen(s -> ((ObjectNode) s.get("memory")).put("perClass", 5))),
                400,
                "memory.perClass"
            },
            {
                spec(from(source, 0).andThen(s -> ((ObjectNode) s.get("protocol")).put("initialClasses", 4))),
                400,
                "protocol.initialClasses"
            },
            {
                spec(from(source, 0)
                        .andThen(s -> ((ObjectNode) s.get("protocol"))
                                .put("classOrder", "seeded")
                                .put("classOrderSeed", 99))),
                400,
                "protocol.classOrder"
            },
            {
                spec(from(source, 1).andThen(s -> ((ObjectNode) s.get("protocol")).put("increment", 1))),
                400,
                "protocol.increment"
            },
        };
        for (Object[] hostile : cases) {
            HttpResponse<String> response = send("POST", "/api/v1/experiments", (String) hostile[0], ALICE);
            assertThat(response.statusCode())
                    .as(hostile[0] + " -> " + response.body())
                    .isEqualTo(hostile[1]);
            JsonNode problem = JSON.readTree(response.body());
            assertThat(problem.get("errors").get(0).get("field").asString())
                    .as(response.body())
                    .isEqualTo(hostile[2]);
            assertThat(response.body())
                    .doesNotContain("Exception")
                    .doesNotContain("/work/")
                    .doesNotContain("target/");
        }
        // another key's run cannot be forked, nor told apart from a run that does not exist
        HttpResponse<String> bobs = send("POST", "/api/v1/experiments", spec(from(source, 0)), BOB);
        assertThat(bobs.statusCode()).as(bobs.body()).isEqualTo(404);
        assertThat(JSON.readTree(bobs.body()).get("errors").get(0).get("field").asString())
                .isEqualTo("from.experiment");
    }

    /** A group of two arms, one per increment after the same phase 0 of the source spec (no seed, no name). */
    private static String prefixGroup(String name, int iterations, long... seeds) {
        ObjectNode group = JSON.createObjectNode().put("name", name);
        var seedList = group.putArray("seeds");
        for (long seed : seeds) {
            seedList.add(seed);
        }
        var arms = group.putArray("arms");
        for (int increment : new int[] {2, 4}) {
            ObjectNode spec = (ObjectNode) JSON.readTree(SPEC);
            spec.remove("seed");
            spec.remove("name");
            ((ObjectNode) spec.get("protocol")).put("increment", increment);
            ((ObjectNode) spec.get("training")).put("iterations", iterations);
            arms.addObject().put("label", "increment " + increment).set("spec", spec);
        }
        return JSON.writeValueAsString(group);
    }

    /** The members of a created group, by arm label, in the group's seed order. */
    private Map<String, List<String>> members(JsonNode created) {
        Map<String, List<String>> members = new java.util.LinkedHashMap<>();
        created.get("members")
                .forEach(m -> members.computeIfAbsent(m.get("arm").asString(), k -> new ArrayList<>())
                        .add(m.get("experiment").asString()));
        return members;
    }

    @Test
    @Order(4)
    void armsOfAGroupThatDifferOnlyAfterPhaseZeroTrainItOnce() throws Exception {
        HttpResponse<String> created = send("POST", "/api/v1/groups", prefixGroup("shared phase 0", 40, 7, 8), ALICE);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        Map<String, List<String>> members = members(JSON.readTree(created.body()));
        for (int s = 0; s < 2; s++) {
            String leader = members.get("increment 2").get(s);
            String follower = members.get("increment 4").get(s);
            finished(leader);
            JsonNode run = finished(follower);
            JsonNode leaderPhase0 =
                    json("/api/v1/experiments/" + leader + "/phases").get(0);
            JsonNode followerPhases = json("/api/v1/experiments/" + follower + "/phases");
            assertThat(followerPhases).hasSize(2);
            assertThat(outcome(followerPhases.get(0))).isEqualTo(outcome(leaderPhase0));
            assertThat(followerPhases.get(0).get("reusedFrom").asString()).isEqualTo(leader);
            assertThat(run.get("forkedFrom").get("experiment").asString()).isEqualTo(leader);
            // the follower's worker never ran phase 0: it was reused once the leader completed it
            assertThat(events(follower, "phase-reused"))
                    .singleElement()
                    .satisfies(data ->
                            assertThat(JSON.readTree(data).get("phase").asInt()).isZero());
            assertThat(events(follower, "phase-started"))
                    .isNotEmpty()
                    .allSatisfy(data ->
                            assertThat(JSON.readTree(data).get("phase").asInt()).isEqualTo(1));
            assertThat(events(leader, "phase-started"))
                    .anySatisfy(data ->
                            assertThat(JSON.readTree(data).get("phase").asInt()).isZero());
            assertThat(events(leader, "phase-reused")).isEmpty();
        }
        // seed 7's leader resolves exactly as the standalone source: its phase 0 is the source's
        assertThat(outcome(
                        json("/api/v1/experiments/" + members.get("increment 2").get(0) + "/phases")
                                .get(0)))
                .isEqualTo(outcome(
                        json("/api/v1/experiments/" + source + "/phases").get(0)));
    }

    @Test
    @Order(5)
    void aFollowerWhoseLeaderIsCancelledTrainsTheSharedPhasesItself() throws Exception {
        HttpResponse<String> created =
                send("POST", "/api/v1/groups", prefixGroup("leader cancelled", 100_000, 9), ALICE);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode body = JSON.readTree(created.body());
        Map<String, List<String>> members = members(body);
        String leader = members.get("increment 2").get(0);
        String follower = members.get("increment 4").get(0);
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (events(leader, "phase-started").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        // the leader trains phase 0 while the follower, with a free slot, waits for it
        Thread.sleep(3000);
        assertThat(events(follower, "phase-started")).isEmpty();
        assertThat(send("POST", "/api/v1/experiments/" + leader + "/cancel", null, ALICE)
                        .statusCode())
                .isEqualTo(200);
        while (events(follower, "phase-started").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(events(follower, "phase-started"))
                .as("the follower trains phase 0 itself once its leader is cancelled")
                .singleElement()
                .satisfies(data ->
                        assertThat(JSON.readTree(data).get("phase").asInt()).isZero());
        assertThat(events(follower, "phase-reused")).isEmpty();
        send("POST", "/api/v1/groups/" + body.get("id").asString() + "/cancel", null, ALICE);
    }
}
