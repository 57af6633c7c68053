package org.mnemos.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mnemos.experiment.SpecReader;
import org.mnemos.support.TestDatabase;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.csv.CsvMapper;

/**
 * Seed groups through HTTP with the real engine: a group of 3 arms × 5 seeds of a tiny synthetic
 * run (15 real runs of seconds each) whose statistics equal an independent computation from the
 * members' own summaries and phases; the exports read back to the numbers of {@code /phases};
 * hostile group bodies are 400s naming the field; another key's group is a 404.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "mnemos.worker.heartbeat-seconds=2",
            "mnemos.worker.polling-seconds=1",
            "mnemos.worker.device=cpu",
            "mnemos.artifacts.dir=target/groups-artifacts",
            "mnemos.limits.max-concurrent-runs-per-key=40",
            "mnemos.groups.max-arms=4",
            "mnemos.groups.max-seeds=6",
            "mnemos.security.api-keys[0].id=alice",
            "mnemos.security.api-keys[0].key=" + GroupsApiTest.ALICE,
            "mnemos.security.api-keys[0].scopes=read,write",
            "mnemos.security.api-keys[1].id=bob",
            "mnemos.security.api-keys[1].key=" + GroupsApiTest.BOB,
            "mnemos.security.api-keys[1].scopes=read,write"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GroupsApiTest {

    static final String ALICE = "alice-group-key";
    static final String BOB = "bob-group-key";
    private static final JsonMapper JSON = SpecReader.json();
    /** t(0.975, 4), the table value (scipy.stats.t.ppf), independent of the service's own quantile. */
    private static final double T_975_4 = 2.7764451051977934;

    private static final List<Long> SEEDS = List.of(3L, 1L, 4L, 15L, 9L);

    /** A run of seconds; methods without exemplars take no memory section. */
    private static String spec(String method) {
        String memory = method.equals("finetune") ? "" : ",\"memory\":{\"perClass\":3}";
        return """
                {"dataset":{"name":"synthetic","syntheticClasses":6,"syntheticTrainPerClass":12,"syntheticTestPerClass":6,
                  "syntheticImageSize":8,"syntheticChannels":1},
                 "protocol":{"initialClasses":2,"increment":2},
                 "model":{"backbone":"mlp","hiddenUnits":[16]},"method":{"name":"%s"}%s,
                 "training":{"iterations":6,"batchSize":8,"optimizer":{"name":"adam","lr":0.02}}}""".formatted(method, memory);
    }

    private static String group(String name, String... methods) {
        StringBuilder arms = new StringBuilder();
        for (String method : methods) {
            arms.append(arms.isEmpty() ? "" : ",")
                    .append("{\"label\":\"")
                    .append(method)
                    .append("\",\"spec\":")
                    .append(spec(method))
                    .append("}");
        }
        return "{\"name\":\"" + name + "\",\"seeds\":" + SEEDS + ",\"arms\":[" + arms + "]}";
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @LocalServerPort
    int port;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private String groupId;

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

    private JsonNode json(String path, String key) throws Exception {
        HttpResponse<String> response = send("GET", path, null, key);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    @Order(1)
    void threeArmsTimesFiveSeedsRunAndTheirStatisticsEqualAnIndependentComputation() throws Exception {
        HttpResponse<String> created =
                send("POST", "/api/v1/groups", group("ablation", "finetune", "replay", "icarl"), ALICE);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode body = JSON.readTree(created.body());
        groupId = body.get("id").asString();
        assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/groups/" + groupId);
        assertThat(body.get("members").size()).isEqualTo(15);

        long deadline = System.nanoTime() + Duration.ofMinutes(8).toNanos();
        JsonNode view = json("/api/v1/groups/" + groupId, ALICE);
        while (finished(view) < 15 && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            view = json("/api/v1/groups/" + groupId, ALICE);
        }
        assertThat(finished(view)).as(view.toString()).isEqualTo(15);

        // the members' own summaries and phases, read as any client would
        Map<String, Map<Long, double[]>> figures = new HashMap<>();
        Map<String, Map<Long, List<Double>>> phaseAccuracy = new HashMap<>();
        for (JsonNode arm : view.get("arms")) {
            for (JsonNode member : arm.get("members")) {
                String experiment = member.get("experiment").asString();
                JsonNode run = json("/api/v1/experiments/" + experiment, ALICE);
                assertThat(run.get("seed").asLong())
                        .isEqualTo(member.get("seed").asLong());
                assertThat(run.get("spec").get("method").get("name").asString())
                        .isEqualTo(arm.get("label").asString());
                JsonNode summary = run.get("summary");
                JsonNode phases = json("/api/v1/experiments/" + experiment + "/phases", ALICE);
                List<Double> accuracies = new ArrayList<>();
                List<List<Double>> matrix = new ArrayList<>();
                for (JsonNode phase : phases) {
                    accuracies.add(phase.get("accuracy").get("reported").asDouble());
                    List<Double> row = new ArrayList<>();
                    phase.get("accuracyRow").forEach(v -> row.add(v.asDouble()));
                    matrix.add(row);
                }
                double bwt = 0;
                for (int j = 0; j < matrix.size() - 1; j++) {
                    bwt += (matrix.get(matrix.size() - 1).get(j) - matrix.get(j).get(j)) / (matrix.size() - 1);
                }
                figures.computeIfAbsent(arm.get("label").asString(), k -> new HashMap<>())
                        .put(member.get("seed").asLong(), new double[] {
                            summary.get("lastAccuracy").asDouble(),
                            summary.get("averageIncrementalAccuracy").asDouble(),
                            summary.get("forgetting").asDouble(),
                            bwt
                        });
                phaseAccuracy
                        .computeIfAbsent(arm.get("label").asString(), k -> new HashMap<>())
                        .put(member.get("seed").asLong(), accuracies);
            }
        }
        String[] metrics = {"finalAccuracy", "averageIncrementalAccuracy", "forgetting", "backwardTransfer"};
        for (JsonNode arm : view.get("arms")) {
            Map<Long, double[]> byseed = figures.get(arm.get("label").asString());
            for (int m = 0; m < metrics.length; m++) {
                int metric = m;
                double[] values =
                        SEEDS.stream().mapToDouble(s -> byseed.get(s)[metric]).toArray();
                JsonNode stat = arm.get("metrics").get(metrics[m]);
                assertThat(stat.get("n").asInt()).isEqualTo(5);
                assertThat(stat.get("mean").asDouble()).as(metrics[m]).isCloseTo(mean(values), offset(1e-12));
                assertThat(stat.get("std").asDouble()).as(metrics[m]).isCloseTo(std(values), offset(1e-12));
            }
            for (int p = 0; p < 3; p++) {
                int phase = p;
                double[] values = SEEDS.stream()
                        .mapToDouble(s -> phaseAccuracy
                                .get(arm.get("label").asString())
                                .get(s)
                                .get(phase))
                        .toArray();
                assertThat(arm.get("phaseAccuracy").get(p).get("mean").asDouble())
                        .isCloseTo(mean(values), offset(1e-12));
                assertThat(arm.get("phaseAccuracy").get(p).get("std").asDouble())
                        .isCloseTo(std(values), offset(1e-12));
            }
        }
        // later arm minus earlier arm, paired by seed
        List<String> labels = List.of("finetune", "replay", "icarl");
        assertThat(view.get("comparisons").size()).isEqualTo(3);
        for (JsonNode comparison : view.get("comparisons")) {
            Map<Long, double[]> arm = figures.get(comparison.get("arm").asString());
            Map<Long, double[]> baseline =
                    figures.get(comparison.get("baseline").asString());
            assertThat(labels.indexOf(comparison.get("arm").asString()))
                    .isGreaterThan(labels.indexOf(comparison.get("baseline").asString()));
            for (int m = 0; m < metrics.length; m++) {
                int metric = m;
                double[] differences = SEEDS.stream()
                        .mapToDouble(s -> arm.get(s)[metric] - baseline.get(s)[metric])
                        .toArray();
                double mean = mean(differences);
                double halfWidth = T_975_4 * std(differences) / Math.sqrt(5);
                JsonNode d = comparison.get("metrics").get(metrics[m]);
                assertThat(d.get("n").asInt()).isEqualTo(5);
                assertThat(d.get("mean").asDouble()).isCloseTo(mean, offset(1e-12));
                assertThat(d.get("std").asDouble()).isCloseTo(std(differences), offset(1e-12));
                assertThat(d.get("low").asDouble()).isCloseTo(mean - halfWidth, offset(1e-12));
                assertThat(d.get("high").asDouble()).isCloseTo(mean + halfWidth, offset(1e-12));
            }
        }
        // the runs differ by seed: a spread of zero would make the checks above vacuous
        assertThat(view.get("arms")
                        .get(1)
                        .get("metrics")
                        .get("finalAccuracy")
                        .get("std")
                        .asDouble())
                .isGreaterThan(0);

        // the members' table has the same figures, one row per member
        String table = send("GET", "/api/v1/groups/" + groupId + "/table?format=csv", null, ALICE)
                .body();
        List<Map<String, String>> rows = csv(table);
        assertThat(rows).hasSize(15);
        for (Map<String, String> row : rows) {
            double[] expected = figures.get(row.get("arm")).get(Long.parseLong(row.get("seed")));
            assertThat(Double.parseDouble(row.get("final_accuracy"))).isEqualTo(expected[0]);
            assertThat(Double.parseDouble(row.get("average_incremental_accuracy")))
                    .isEqualTo(expected[1]);
            assertThat(row.get("status")).isEqualTo("SUCCEEDED");
        }
        List<Map<String, String>> differences =
                csv(send("GET", "/api/v1/groups/" + groupId + "/table?view=differences", null, ALICE)
                        .body());
        JsonNode first = view.get("comparisons").get(0).get("metrics").get("finalAccuracy");
        assertThat(differences.get(0))
                .containsEntry("metric", "final_accuracy")
                .containsEntry("low", Double.toString(first.get("low").asDouble()));
    }

    private static int finished(JsonNode group) {
        int finished = 0;
        for (JsonNode arm : group.get("arms")) {
            finished += arm.get("finished").asInt();
        }
        return finished;
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static double std(double[] values) {
        double mean = mean(values);
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        return Math.sqrt(squares / (values.length - 1));
    }

    /** An RFC 4180 CSV with a header, read by a parser of its own. */
    private static List<Map<String, String>> csv(String text) throws Exception {
        CsvMapper mapper = CsvMapper.builder().build();
        List<Map<String, String>> rows = new ArrayList<>();
        try (var iterator = mapper.readerForMapOf(String.class)
                .with(mapper.schema().withHeader())
                .<Map<String, String>>readValues(new StringReader(text))) {
            iterator.forEachRemaining(rows::add);
        }
        return rows;
    }

    @Test
    @Order(2)
    void theExportsReadBackToTheNumbersOfPhases() throws Exception {
        JsonNode view = json("/api/v1/groups/" + groupId, ALICE);
        String experiment =
                view.get("arms").get(1).get("members").get(0).get("experiment").asString();
        JsonNode phases = json("/api/v1/experiments/" + experiment + "/phases", ALICE);
        HttpResponse<String> response =
                send("GET", "/api/v1/experiments/" + experiment + "/results?format=csv", null, ALICE);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
        assertThat(response.body()).startsWith("experiment,seed,phase,metric,classifier,value\r\n");
        Map<String, Double> values = new HashMap<>();
        for (Map<String, String> row : csv(response.body())) {
            assertThat(row.get("experiment")).isEqualTo(experiment);
            values.put(
                    row.get("phase") + "/" + row.get("metric") + "/" + row.get("classifier"),
                    Double.parseDouble(row.get("value")));
        }
        for (JsonNode phase : phases) {
            int index = phase.get("index").asInt();
            JsonNode accuracy = phase.get("accuracy");
            String classifier = accuracy.get("classifier").asString();
            assertThat(values.get(index + "/accuracy/cnn"))
                    .isEqualTo(accuracy.get("cnn").asDouble());
            assertThat(values.get(index + "/reported_accuracy/" + classifier))
                    .isEqualTo(accuracy.get("reported").asDouble());
            assertThat(values.get(index + "/new_accuracy/" + classifier))
                    .isEqualTo(accuracy.get("new").asDouble());
            for (int task = 0; task < phase.get("accuracyRow").size(); task++) {
                assertThat(values.get(index + "/task_accuracy[" + task + "]/" + classifier))
                        .isEqualTo(phase.get("accuracyRow").get(task).asDouble());
            }
            phase.get("perClassAccuracy")
                    .properties()
                    .forEach(e -> assertThat(values.get(index + "/class_accuracy[" + e.getKey() + "]/" + classifier))
                            .isEqualTo(e.getValue().asDouble()));
            assertThat(values.get(index + "/memory_bytes/"))
                    .isEqualTo(phase.get("memoryBytes").asDouble());
        }
        JsonNode summary = json("/api/v1/experiments/" + experiment, ALICE).get("summary");
        assertThat(values.get("/last_accuracy/cnn"))
                .isEqualTo(summary.get("lastAccuracy").asDouble());
        assertThat(values.get("/forgetting/cnn"))
                .isEqualTo(summary.get("forgetting").asDouble());

        // the JSON form holds the same rows
        JsonNode rows = json("/api/v1/experiments/" + experiment + "/results?format=json", ALICE);
        assertThat(rows.size()).isEqualTo(values.size());

        List<Map<String, String>> matrix =
                csv(send("GET", "/api/v1/experiments/" + experiment + "/accuracy-matrix?format=csv", null, ALICE)
                        .body());
        assertThat(matrix).hasSize(3);
        for (int p = 0; p < 3; p++) {
            for (int task = 0; task < 3; task++) {
                String cell = matrix.get(p).get("task_" + task);
                if (task <= p) {
                    assertThat(Double.parseDouble(cell))
                            .isEqualTo(
                                    phases.get(p).get("accuracyRow").get(task).asDouble());
                } else {
                    assertThat(cell).isEmpty();
                }
            }
        }
        // PyCIL's orientation: groups of the increment (2) over the class order, a column per phase
        List<Map<String, String>> grouped = csv(
                send("GET", "/api/v1/experiments/" + experiment + "/accuracy-matrix?orientation=grouped", null, ALICE)
                        .body());
        assertThat(grouped).extracting(r -> r.get("classes")).containsExactly("00-01", "02-03", "04-05");
        // with an increment equal to every phase's size, group j is phase j's classes
        for (int p = 0; p < 3; p++) {
            for (int g = 0; g <= p; g++) {
                assertThat(Double.parseDouble(grouped.get(g).get("phase_" + p)))
                        .isCloseTo(phases.get(p).get("accuracyRow").get(g).asDouble(), offset(1e-12));
            }
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"name\":\"g\",\"seeds\":[1],\"arms\":[]}|arms",
                "{\"name\":\"g\",\"seeds\":[],\"arms\":[{\"label\":\"a\",\"spec\":{}}]}|seeds",
                "{\"name\":\"g\",\"seeds\":[1,2,1],\"arms\":[{\"label\":\"a\",\"spec\":{}}]}|seeds[2]",
                "{\"name\":\"g\",\"seeds\":[1,\"2\"],\"arms\":[{\"label\":\"a\",\"spec\":{}}]}|seeds[1]",
                "{\"name\":\"g\",\"seeds\":[1.5],\"arms\":[{\"label\":\"a\",\"spec\":{}}]}|seeds[0]",
                "{\"name\":\"g\",\"seeds\":[-1],\"arms\":[{\"label\":\"a\",\"spec\":{}}]}|seeds[0]",
                "{\"name\":\"g\",\"seeds\":1,\"arms\":[{\"label\":\"a\",\"spec\":{}}]}|seeds",
                "{\"name\":\"g\",\"seeds\":[1,2,3,4,5,6,7],\"arms\":[{\"label\":\"a\",\"spec\":{}}]}|seeds",
                "{\"name\":7,\"seeds\":[1],\"arms\":[{\"label\":\"a\",\"spec\":{}}]}|name",
                "{\"name\":\"  \",\"seeds\":[1],\"arms\":[{\"label\":\"a\",\"spec\":{}}]}|name",
                "{\"seeds\":[1],\"arms\":[{\"label\":\"a\",\"spec\":{}}]}|name",
                "{\"name\":\"gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg\",\"seeds\":[1],\"arms\":[{\"label\":\"a\",\"spec\":{}}]}|name",
                "{\"name\":\"g\",\"seeds\":[1],\"arms\":[{\"label\":\"a\",\"spec\":{}}],\"extra\":1}|extra",
                "{\"name\":\"g\",\"seeds\":[1],\"arms\":[{\"label\":\"a\",\"spec\":{}},{\"label\":\"a\",\"spec\":{}}]}|arms[1].label",
                "{\"name\":\"g\",\"seeds\":[1],\"arms\":[{\"label\":\"\",\"spec\":{}}]}|arms[0].label",
                "{\"name\":\"g\",\"seeds\":[1],\"arms\":[{\"label\":3,\"spec\":{}}]}|arms[0].label",
                "{\"name\":\"g\",\"seeds\":[1],\"arms\":[{\"label\":\"a\"}]}|arms[0].spec",
                "{\"name\":\"g\",\"seeds\":[1],\"arms\":[{\"label\":\"a\",\"spec\":[]}]}|arms[0].spec",
                "{\"name\":\"g\",\"seeds\":[1],\"arms\":[{\"label\":\"a\",\"spec\":{},\"colour\":1}]}|arms[0].colour",
                "{\"name\":\"g\",\"seeds\":[1],\"arms\":[{\"label\":\"a\",\"spec\":{\"seed\":4}}]}|arms[0].spec.seed",
                "{\"name\":\"g\",\"seeds\":[1],\"arms\":[1]}|arms[0]",
                "{\"name\":\"g\",\"seeds\":[1],\"arms\":[{\"label\":\"a\",\"spec\":{}},{\"label\":\"b\",\"spec\":{}},{\"label\":\"c\",\"spec\":{}},{\"label\":\"d\",\"spec\":{}},{\"label\":\"e\",\"spec\":{}}]}|arms",
                "[1,2]|$"
            })
    @Order(3)
    void hostileGroupBodiesAreRefusedNamingTheField(String body, String field) throws Exception {
        HttpResponse<String> response = send("POST", "/api/v1/groups", body, ALICE);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode problem = JSON.readTree(response.body());
        List<String> fields = new ArrayList<>();
        problem.get("errors").forEach(e -> fields.add(e.get("field").asString()));
        assertThat(fields).as(response.body()).contains(field);
    }

    @Test
    @Order(4)
    void anInvalidMemberSpecIsRefusedAtItsPathInTheGroupAndNothingIsCreated() throws Exception {
        int before = json("/api/v1/groups", ALICE).get("items").size();
        String body = "{\"name\":\"bad\",\"seeds\":[1,2],\"arms\":[{\"label\":\"ok\",\"spec\":" + spec("replay")
                + "},{\"label\":\"bad\",\"spec\":" + spec("no-such-method") + "}]}";
        HttpResponse<String> response = send("POST", "/api/v1/groups", body, ALICE);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(JSON.readTree(response.body())
                        .get("errors")
                        .get(0)
                        .get("field")
                        .asString())
                .isEqualTo("arms[1].spec.method.name");

        String wrongType = "{\"name\":\"bad\",\"seeds\":[1],\"arms\":[{\"label\":\"t\",\"spec\":"
                + spec("replay").replace("\"batchSize\":8", "\"batchSize\":\"eight\"") + "}]}";
        response = send("POST", "/api/v1/groups", wrongType, ALICE);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(JSON.readTree(response.body())
                        .get("errors")
                        .get(0)
                        .get("field")
                        .asString())
                .isEqualTo("arms[0].spec.training.batchSize");

        assertThat(json("/api/v1/groups", ALICE).get("items").size()).isEqualTo(before);
        assertThat(send("GET", "/api/v1/groups?limit=0", null, ALICE).statusCode())
                .isEqualTo(400);
        HttpResponse<String> badView = send("GET", "/api/v1/groups/" + groupId + "/table?view=pivot", null, ALICE);
        assertThat(badView.statusCode()).isEqualTo(400);
        assertThat(badView.body()).contains("\"field\":\"view\"");
        assertThat(send("GET", "/api/v1/groups/" + groupId + "/table?format=xlsx", null, ALICE)
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("GET", "/api/v1/groups/not-a-uuid", null, ALICE).statusCode())
                .isEqualTo(400);

        String member = json("/api/v1/groups/" + groupId, ALICE)
                .get("arms")
                .get(0)
                .get("members")
                .get(0)
                .get("experiment")
                .asString();
        for (String[] query : new String[][] {
            {"results?format=xml", "format"},
            {"accuracy-matrix?format=json", "format"},
            {"accuracy-matrix?orientation=sideways", "orientation"}
        }) {
            HttpResponse<String> bad = send("GET", "/api/v1/experiments/" + member + "/" + query[0], null, ALICE);
            assertThat(bad.statusCode()).as(query[0]).isEqualTo(400);
            assertThat(bad.body())
                    .as(query[0])
                    .contains("\"field\":\"" + query[1] + "\"")
                    .doesNotContain("Exception");
        }
    }

    @Test
    @Order(5)
    void anotherKeysGroupIsNotFoundAndItsMembersStayHidden() throws Exception {
        assertThat(json("/api/v1/groups", ALICE).get("items"))
                .anySatisfy(g -> assertThat(g.get("id").asString()).isEqualTo(groupId));
        assertThat(json("/api/v1/groups", BOB).get("items"))
                .noneSatisfy(g -> assertThat(g.get("id").asString()).isEqualTo(groupId));
        for (String[] request : new String[][] {{"GET", ""}, {"GET", "/table"}, {"POST", "/cancel"}, {"DELETE", ""}}) {
            HttpResponse<String> response = send(request[0], "/api/v1/groups/" + groupId + request[1], null, BOB);
            assertThat(response.statusCode()).as(request[0] + request[1]).isEqualTo(404);
        }
        String member = json("/api/v1/groups/" + groupId, ALICE)
                .get("arms")
                .get(0)
                .get("members")
                .get(0)
                .get("experiment")
                .asString();
        assertThat(send("GET", "/api/v1/experiments/" + member + "/results", null, BOB)
                        .statusCode())
                .isEqualTo(404);
        assertThat(send("GET", "/api/v1/experiments/" + member + "/accuracy-matrix", null, BOB)
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    @Order(6)
    void cancelStopsQueuedMembersAndDeleteRemovesTheGroupWithItsMembers() throws Exception {
        String body = "{\"name\":\"to cancel\",\"seeds\":[1,2],\"arms\":[{\"label\":\"slow\",\"spec\":"
                + spec("replay").replace("\"iterations\":6", "\"iterations\":100000") + "}]}";
        HttpResponse<String> created = send("POST", "/api/v1/groups", body, ALICE);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).get("id").asString();
        JsonNode cancelled = JSON.readTree(
                send("POST", "/api/v1/groups/" + id + "/cancel", null, ALICE).body());
        cancelled
                .get("arms")
                .get(0)
                .get("members")
                .forEach(m -> assertThat(m.get("status").asString()).isIn("CANCELLING", "CANCELLED"));
        List<String> members = new ArrayList<>();
        cancelled
                .get("arms")
                .get(0)
                .get("members")
                .forEach(m -> members.add(m.get("experiment").asString()));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        int status;
        while ((status = send("DELETE", "/api/v1/groups/" + id, null, ALICE).statusCode()) == 409
                && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertThat(status).isEqualTo(204);
        assertThat(send("GET", "/api/v1/groups/" + id, null, ALICE).statusCode())
                .isEqualTo(404);
        for (String member : members) {
            assertThat(send("GET", "/api/v1/experiments/" + member, null, ALICE).statusCode())
                    .isEqualTo(404);
        }
    }

    @Test
    @Order(7)
    void moreMembersThanTheKeysActiveRunLimitAreRefusedWhole() throws Exception {
        ArrayNode seeds = JSON.createArrayNode();
        for (int s = 0; s < 6; s++) {
            seeds.add(s);
        }
        ObjectNode body = JSON.createObjectNode().put("name", "too many");
        body.set("seeds", seeds);
        ArrayNode arms = body.putArray("arms");
        for (String label : List.of("a", "b", "c", "d")) {
            arms.addObject()
                    .put("label", label)
                    .set("spec", JSON.readTree(spec("replay").replace("\"iterations\":6", "\"iterations\":100000")));
        }
        // 24 members fit the group limits (4 arms, 6 seeds); with 24 already active, 24 more pass the key's 40
        HttpResponse<String> first = send("POST", "/api/v1/groups", body.toString(), ALICE);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        HttpResponse<String> second = send("POST", "/api/v1/groups", body.toString(), ALICE);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(429);
        String id = JSON.readTree(first.body()).get("id").asString();
        send("POST", "/api/v1/groups/" + id + "/cancel", null, ALICE);
    }

    private HttpResponse<String> post(String body, String idempotencyKey, String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/groups"))
                .header("X-API-Key", key)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(8)
    void anIdempotencyKeyRetriedWithTheSameBodyFindsTheGroupAndWithAnotherBodyIsRefused() throws Exception {
        int before = json("/api/v1/groups", ALICE).get("items").size();
        String body =
                "{\"name\":\"keyed\",\"seeds\":[1],\"arms\":[{\"label\":\"f\",\"spec\":" + spec("finetune") + "}]}";
        HttpResponse<String> first = post(body, "group-key-1", ALICE);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        JsonNode created = JSON.readTree(first.body());

        // the same body with its fields in another order and other spacing is the same request
        ObjectNode reordered = JSON.createObjectNode();
        JsonNode parsed = JSON.readTree(body);
        reordered.set("arms", parsed.get("arms"));
        reordered.set("seeds", parsed.get("seeds"));
        reordered.set("name", parsed.get("name"));
        HttpResponse<String> retry =
                post(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(reordered), "group-key-1", ALICE);
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
        JsonNode found = JSON.readTree(retry.body());
        assertThat(found.get("id")).isEqualTo(created.get("id"));
        assertThat(found.get("members").get(0).get("experiment"))
                .isEqualTo(created.get("members").get(0).get("experiment"));
        assertThat(retry.headers().firstValue("Location"))
                .hasValue("/api/v1/groups/" + created.get("id").asString());

        HttpResponse<String> other = post(body.replace("[1]", "[2]"), "group-key-1", ALICE);
        assertThat(other.statusCode()).as(other.body()).isEqualTo(422);
        assertThat(other.body())
                .contains("\"field\":\"Idempotency-Key\"")
                .contains(created.get("id").asString())
                .doesNotContain("Exception");
        assertThat(json("/api/v1/groups", ALICE).get("items").size()).isEqualTo(before + 1);

        // keys are per caller: another key's request with the same Idempotency-Key creates its own group
        HttpResponse<String> bobs = post(body, "group-key-1", BOB);
        assertThat(bobs.statusCode()).as(bobs.body()).isEqualTo(201);
        assertThat(JSON.readTree(bobs.body()).get("id")).isNotEqualTo(created.get("id"));

        // a hostile key is a 400 naming the header; an invalid body with a fresh key creates nothing and keeps the key
        // free
        for (String hostile : List.of("k".repeat(201), "a b".repeat(70))) {
            HttpResponse<String> refused = post(body, hostile, ALICE);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
            assertThat(refused.body()).contains("\"field\":\"Idempotency-Key\"");
        }
        HttpResponse<String> invalid = post(body.replace("\"seeds\":[1]", "\"seeds\":\"one\""), "group-key-2", ALICE);
        assertThat(invalid.statusCode()).as(invalid.body()).isEqualTo(400);
        assertThat(invalid.body()).contains("\"field\":\"seeds\"");
        assertThat(post(body, "group-key-2", ALICE).statusCode()).isEqualTo(201);
    }
}
