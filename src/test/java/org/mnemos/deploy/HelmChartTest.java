package org.mnemos.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Lints and renders helm/mnemos the way {@code helm template} would, without a cluster. */
class HelmChartTest {

    private static final Path CHART = Path.of("helm/mnemos");
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final String API_KEY = "ci-key-123";

    @Test
    void chartLintsClean() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed())
                .as(String.join("\n", result.getMessages()))
                .isFalse();
    }

    @Test
    void defaultValuesRenderApiAndWorkerOnASharedArtifactsVolume() {
        List<JsonNode> docs = render(template());

        JsonNode api = find(docs, "Deployment", "demo-mnemos-api").orElseThrow();
        JsonNode worker = find(docs, "Deployment", "demo-mnemos-worker").orElseThrow();
        JsonNode apiContainer = api.at("/spec/template/spec/containers/0");
        JsonNode workerContainer = worker.at("/spec/template/spec/containers/0");

        assertThat(apiContainer.at("/livenessProbe/httpGet/path").asString()).isEqualTo("/actuator/health/liveness");
        assertThat(apiContainer.at("/readinessProbe/httpGet/path").asString()).isEqualTo("/actuator/health/readiness");
        assertThat(workerContainer.at("/readinessProbe/httpGet/path").asString())
                .isEqualTo("/actuator/health/readiness");
        assertThat(env(apiContainer, "MNEMOS_WORKER_ENABLED")).isEqualTo("false");
        assertThat(env(workerContainer, "MNEMOS_WORKER_ENABLED")).isEqualTo("true");
        assertThat(env(apiContainer, "SPRING_PROFILES_ACTIVE")).isEqualTo("container");
        assertThat(env(apiContainer, "MNEMOS_DATA_ROOTS")).isEqualTo("/data");
        assertThat(workerContainer.at("/resources/limits").has("nvidia.com/gpu"))
                .isFalse();
        assertThat(workerContainer.at("/env").toString()).doesNotContain("MNEMOS_WORKER_DEVICE");

        JsonNode pvc =
                find(docs, "PersistentVolumeClaim", "demo-mnemos-artifacts").orElseThrow();
        assertThat(pvc.at("/spec/accessModes/0").asString()).isEqualTo("ReadWriteMany");
        for (JsonNode deployment : List.of(api, worker)) {
            assertThat(deployment.at("/spec/template/spec/volumes").toString()).contains("demo-mnemos-artifacts");
            assertThat(deployment
                            .at("/spec/template/spec/containers/0/volumeMounts")
                            .toString())
                    .contains("/var/lib/mnemos/artifacts", "\"mountPath\":\"/data\",\"readOnly\":true");
        }
        assertThat(find(docs, "Service", "demo-mnemos")).isPresent();
        assertThat(find(docs, "ConfigMap", "demo-mnemos")
                        .orElseThrow()
                        .at("/data/application.yml")
                        .asString())
                .contains("dir: /var/lib/mnemos/artifacts");
    }

    @Test
    void anApiKeyIsRequiredAndGoesThroughASecret() {
        assertThatThrownBy(() -> new Helm(CHART).template().withName("demo").call())
                .hasMessageContaining("Set apiKeys.key or apiKeys.existingSecret");

        JsonNode given =
                find(render(template()), "Secret", "demo-mnemos-api-keys").orElseThrow();
        assertThat(new String(
                        Base64.getDecoder().decode(given.at("/data/api-key").asString())))
                .isEqualTo(API_KEY);
        JsonNode api = find(render(template()), "Deployment", "demo-mnemos-api").orElseThrow();
        assertThat(api.toString()).doesNotContain(API_KEY);
        JsonNode container = api.at("/spec/template/spec/containers/0");
        assertThat(env(container, "MNEMOS_SECURITY_APIKEYS_0_ID")).isEqualTo("admin");
        assertThat(env(container, "MNEMOS_SECURITY_APIKEYS_0_SCOPES")).isEqualTo("read,write");

        List<JsonNode> external =
                render(new Helm(CHART).template().withName("demo").set("apiKeys.existingSecret", "keys"));
        assertThat(find(external, "Secret", "demo-mnemos-api-keys")).isEmpty();
        assertThat(find(external, "Deployment", "demo-mnemos-api").orElseThrow().toString())
                .contains("\"name\":\"keys\"");
    }

    @Test
    void gpuValuesRequestGpusAndPlaceWorkersOnGpuNodes() {
        List<JsonNode> docs = render(template().withValuesFile(CHART.resolve("values-gpu.yaml")));
        JsonNode worker = find(docs, "Deployment", "demo-mnemos-worker").orElseThrow();
        JsonNode pod = worker.at("/spec/template/spec");

        assertThat(worker.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(pod.at("/containers/0/resources/limits/nvidia.com~1gpu").asInt())
                .isEqualTo(1);
        assertThat(env(pod.at("/containers/0"), "MNEMOS_WORKER_DEVICE"))
                .as("one phase per GPU the pod is given")
                .isEqualTo("gpu");
        assertThat(pod.at("/containers/0/image").asString()).isEqualTo("mnemos:0.1.0-cu128");
        assertThat(pod.at("/nodeSelector/nvidia.com~1gpu.present").asString()).isEqualTo("true");
        assertThat(pod.at("/tolerations/0/key").asString()).isEqualTo("nvidia.com/gpu");
        JsonNode api = find(docs, "Deployment", "demo-mnemos-api").orElseThrow();
        assertThat(api.at("/spec/template/spec/containers/0/resources/limits").has("nvidia.com/gpu"))
                .isFalse();
    }

    @Test
    void databasePasswordGoesThroughASecret() {
        List<JsonNode> docs = render(template().set("database.password", "s3cret"));
        JsonNode secret = find(docs, "Secret", "demo-mnemos-db").orElseThrow();
        assertThat(new String(
                        Base64.getDecoder().decode(secret.at("/data/password").asString())))
                .isEqualTo("s3cret");
        assertThat(find(docs, "Deployment", "demo-mnemos-api").orElseThrow().toString())
                .doesNotContain("s3cret");
    }

    @Test
    void objectStorageReplacesTheSharedVolumeAndTakesCredentialsFromASecret() {
        assertThatThrownBy(() -> render(template().set("artifacts.s3.enabled", "true")))
                .hasMessageContaining("artifacts.s3.bucket is required");

        List<JsonNode> docs = render(template()
                .set("artifacts.s3.enabled", "true")
                .set("artifacts.s3.bucket", "lab-artifacts")
                .set("artifacts.s3.endpoint", "http://minio.storage:9000")
                .set("artifacts.s3.prefix", "mnemos/")
                .set("artifacts.s3.pathStyle", "true")
                .set("artifacts.s3.credentialsSecret", "minio-keys"));

        assertThat(find(docs, "PersistentVolumeClaim", "demo-mnemos-artifacts")).isEmpty();
        for (String name : List.of("demo-mnemos-api", "demo-mnemos-worker")) {
            JsonNode pod = find(docs, "Deployment", name).orElseThrow().at("/spec/template/spec");
            JsonNode container = pod.at("/containers/0");
            assertThat(env(container, "MNEMOS_ARTIFACTS_STORE")).isEqualTo("s3");
            assertThat(env(container, "MNEMOS_ARTIFACTS_S3_BUCKET")).isEqualTo("lab-artifacts");
            assertThat(env(container, "MNEMOS_ARTIFACTS_S3_ENDPOINT")).isEqualTo("http://minio.storage:9000");
            assertThat(env(container, "MNEMOS_ARTIFACTS_S3_PREFIX")).isEqualTo("mnemos/");
            assertThat(env(container, "MNEMOS_ARTIFACTS_S3_PATHSTYLE")).isEqualTo("true");
            assertThat(container.at("/env").toString())
                    .contains(
                            "{\"name\":\"AWS_SECRET_ACCESS_KEY\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"minio-keys\"");
            assertThat(pod.at("/volumes").toString())
                    .contains("{\"name\":\"artifacts\",\"emptyDir\":{}}")
                    .doesNotContain("demo-mnemos-artifacts");
        }

        JsonNode api = find(render(template()), "Deployment", "demo-mnemos-api").orElseThrow();
        assertThat(api.toString()).doesNotContain("MNEMOS_ARTIFACTS_STORE", "AWS_");
    }

    @Test
    void eachWorkerPoolIsADeploymentDeclaredToTheApiWithItsBudget() throws Exception {
        List<JsonNode> docs = render(template().withValuesFile(values("""
                workerPools:
                  - name: gpu-h100
                    memoryBudget: 80GB
                    gpu: {enabled: true, count: 1}
                    dbPoolSize: 4
                """)));
        JsonNode main =
                find(docs, "Deployment", "demo-mnemos-worker").orElseThrow().at("/spec/template/spec/containers/0");
        JsonNode gpu = find(docs, "Deployment", "demo-mnemos-worker-gpu-h100").orElseThrow();
        JsonNode gpuContainer = gpu.at("/spec/template/spec/containers/0");
        assertThat(env(main, "MNEMOS_WORKER_POOL")).isEqualTo("default");
        assertThat(env(gpuContainer, "MNEMOS_WORKER_POOL")).isEqualTo("gpu-h100");
        assertThat(env(gpuContainer, "MNEMOS_WORKER_MEMORY_BUDGET")).isEqualTo("80GB");
        assertThat(env(gpuContainer, "SPRING_DATASOURCE_HIKARI_MAXIMUMPOOLSIZE"))
                .isEqualTo("4");
        assertThat(env(main, "SPRING_DATASOURCE_HIKARI_MAXIMUMPOOLSIZE")).isEqualTo("8");
        assertThat(gpuContainer.at("/resources/limits/nvidia.com~1gpu").asInt()).isEqualTo(1);
        assertThat(gpu.at("/spec/selector/matchLabels/mnemos.org~1pool").asString())
                .isEqualTo("gpu-h100");
        assertThat(find(docs, "ScaledObject", "demo-mnemos-worker-gpu-h100"))
                .as("KEDA is off by default")
                .isEmpty();

        JsonNode config = YAML.readTree(find(docs, "ConfigMap", "demo-mnemos")
                .orElseThrow()
                .at("/data/application.yml")
                .asString());
        assertThat(config.at("/mnemos/pools/gpu-h100/memory-budget").asString()).isEqualTo("80GB");
        assertThat(config.at("/mnemos/pools/gpu-h100/gpu").asBoolean()).isTrue();
        assertThat(config.at("/mnemos/pools").has("default"))
                .as("a pool without a budget registers its own")
                .isFalse();
        // api 1 x (16 + 1) + default 1 x (8 + 1) + gpu-h100 1 x (4 + 1)
        assertThat(config.at("/mnemos/connections/planned").asInt()).isEqualTo(31);
    }

    @Test
    void kedaScalesEachPoolOnItsQueuedAndRunningPhases() throws Exception {
        List<JsonNode> docs = render(template().withValuesFile(values("""
                autoscaling:
                  keda: {enabled: true, maxReplicaCount: 3}
                worker:
                  memoryBudget: 16GB
                workerPools:
                  - name: gpu
                    memoryBudget: 80GB
                    autoscaling: {maxReplicaCount: 2, countUnpinned: false, phasesPerReplica: 4}
                """)));
        JsonNode main = find(docs, "ScaledObject", "demo-mnemos-worker").orElseThrow();
        JsonNode gpu = find(docs, "ScaledObject", "demo-mnemos-worker-gpu").orElseThrow();
        assertThat(main.at("/spec/scaleTargetRef/name").asString()).isEqualTo("demo-mnemos-worker");
        assertThat(main.at("/spec/minReplicaCount").asInt()).isZero();
        assertThat(main.at("/spec/maxReplicaCount").asInt()).isEqualTo(3);
        JsonNode trigger = main.at("/spec/triggers/0");
        assertThat(trigger.at("/type").asString()).isEqualTo("postgresql");
        assertThat(trigger.at("/metadata/query").asString())
                .isEqualTo(
                        "select count(*) from scheduled_tasks where task_name = 'run-phase@default' or task_name = 'run-phase'");
        assertThat(trigger.at("/metadata/targetQueryValue").asString()).isEqualTo("1");
        assertThat(gpu.at("/spec/maxReplicaCount").asInt()).isEqualTo(2);
        assertThat(gpu.at("/spec/triggers/0/metadata/query").asString())
                .isEqualTo("select count(*) from scheduled_tasks where task_name = 'run-phase@gpu'");
        assertThat(gpu.at("/spec/triggers/0/metadata/targetQueryValue").asString())
                .isEqualTo("4");
        assertThat(find(docs, "Deployment", "demo-mnemos-worker-gpu")
                        .orElseThrow()
                        .at("/spec")
                        .has("replicas"))
                .as("KEDA owns the replica count")
                .isFalse();
        JsonNode config = YAML.readTree(find(docs, "ConfigMap", "demo-mnemos")
                .orElseThrow()
                .at("/data/application.yml")
                .asString());
        // api 1 x 17 + default 3 x 9 + gpu 2 x 9: autoscaled pools count at their maximum
        assertThat(config.at("/mnemos/connections/planned").asInt()).isEqualTo(62);

        assertThatThrownBy(
                        () -> template().set("autoscaling.keda.enabled", "true").call())
                .hasMessageContaining("worker pool \"default\" is autoscaled: set its memoryBudget");
    }

    @Test
    void aPoolInJobModeIsAScaledJobWhoseWorkersEndByThemselves() throws Exception {
        List<JsonNode> docs = render(template().withValuesFile(values("""
                database: {maxConnections: 200}
                autoscaling:
                  keda: {enabled: true}
                worker:
                  memoryBudget: 16GB
                workerPools:
                  - name: spot
                    mode: job
                    job: {maxPhases: 1, exitWhenIdle: 90s}
                    memoryBudget: 16GB
                    autoscaling: {maxReplicaCount: 6, countUnpinned: false}
                """)));
        assertThat(find(docs, "Deployment", "demo-mnemos-worker-spot")).isEmpty();
        assertThat(find(docs, "ScaledObject", "demo-mnemos-worker-spot")).isEmpty();
        JsonNode job = find(docs, "ScaledJob", "demo-mnemos-worker-spot").orElseThrow();
        assertThat(job.at("/apiVersion").asString()).isEqualTo("keda.sh/v1alpha1");
        assertThat(job.at("/spec/minReplicaCount").asInt()).isZero();
        assertThat(job.at("/spec/maxReplicaCount").asInt()).isEqualTo(6);
        assertThat(job.at("/spec/scalingStrategy/strategy").asString())
                .as("the query counts running phases too: KEDA subtracts the running jobs")
                .isEqualTo("default");
        assertThat(job.at("/spec/triggers/0/metadata/query").asString())
                .isEqualTo("select count(*) from scheduled_tasks where task_name = 'run-phase@spot'");
        assertThat(job.at("/spec/jobTargetRef/backoffLimit").asInt()).isZero();
        JsonNode pod = job.at("/spec/jobTargetRef/template/spec");
        assertThat(pod.at("/restartPolicy").asString()).isEqualTo("Never");
        JsonNode container = pod.at("/containers/0");
        assertThat(env(container, "MNEMOS_WORKER_POOL")).isEqualTo("spot");
        assertThat(env(container, "MNEMOS_WORKER_MAX_PHASES")).isEqualTo("1");
        assertThat(env(container, "MNEMOS_WORKER_EXIT_WHEN_IDLE")).isEqualTo("90s");
        assertThat(job.at("/spec/jobTargetRef/template/metadata/labels/mnemos.org~1pool")
                        .asString())
                .isEqualTo("spot");
        assertThat(pod.at("/volumes").toString()).contains("demo-mnemos-artifacts");

        Map<String, String> workerEnv = new java.util.LinkedHashMap<>();
        for (JsonNode e : container.get("env")) {
            if (e.has("value")) {
                workerEnv.put(e.get("name").asString(), e.get("value").asString());
            }
        }
        org.mnemos.worker.WorkerProperties bound = WorkerSettings.bind(workerEnv, Map.of());
        assertThat(bound.maxPhases())
                .as("the job's settings are the worker's properties")
                .isEqualTo(1);
        assertThat(bound.exitWhenIdle()).isEqualTo(java.time.Duration.ofSeconds(90));

        JsonNode main = find(docs, "Deployment", "demo-mnemos-worker").orElseThrow();
        assertThat(main.at("/spec/template/spec/containers/0/env").toString())
                .as("the deployment pool's workers run until stopped")
                .doesNotContain("MNEMOS_WORKER_MAX_PHASES", "MNEMOS_WORKER_EXIT_WHEN_IDLE");
        assertThat(main.at("/spec/template/spec").has("restartPolicy")).isFalse();
        assertThat(find(docs, "ScaledObject", "demo-mnemos-worker")).isPresent();
        JsonNode config = YAML.readTree(find(docs, "ConfigMap", "demo-mnemos")
                .orElseThrow()
                .at("/data/application.yml")
                .asString());
        // api 1 x 17 + default 4 x 9 + spot 6 x 9: a job pool counts at its maxReplicaCount
        assertThat(config.at("/mnemos/connections/planned").asInt()).isEqualTo(107);
    }

    @Test
    void jobModeNeedsKedaAndAWayToEnd() throws Exception {
        assertThatThrownBy(() -> template().withValuesFile(values("""
                                workerPools: [{name: spot, mode: job, memoryBudget: 16GB}]
                                """)).call())
                .hasMessageContaining("worker pool \"spot\" is in job mode: KEDA's ScaledJob starts its workers");
        assertThatThrownBy(() -> template().withValuesFile(values("""
                                autoscaling: {keda: {enabled: true}}
                                worker: {memoryBudget: 16GB}
                                workerPools:
                                  - {name: spot, mode: job, memoryBudget: 16GB, job: {maxPhases: 0, exitWhenIdle: ""}}
                                """)).call())
                .hasMessageContaining("set job.maxPhases or job.exitWhenIdle");
        assertThatThrownBy(() -> template().set("worker.mode", "batch").call())
                .hasMessageContaining("mode is deployment or job, not \"batch\"");
    }

    @Test
    void renderingRefusesAReleaseThatWouldExceedPostgresConnections() {
        assertThatThrownBy(() -> template()
                        .set("api.replicas", "2")
                        .set("worker.replicas", "20")
                        .call())
                .hasMessageContaining(
                        "the release may hold 214 PostgreSQL connections (api 2 x (16 + 1) + pool default 20 x (8 + 1)),"
                                + " more than the 97 the server allows (database.maxConnections 100 - database.reservedConnections 3)");
        List<JsonNode> raised = render(
                template().set("api.replicas", "2").set("worker.replicas", "20").set("database.maxConnections", "300"));
        assertThat(find(raised, "Deployment", "demo-mnemos-worker")
                        .orElseThrow()
                        .at("/spec/replicas")
                        .asInt())
                .isEqualTo(20);
    }

    @Test
    void aPoolNameMustBeALabelAndUnique() throws Exception {
        assertThatThrownBy(() -> template().set("worker.pool", "GPU_1").call())
                .hasMessageContaining("a pool name is 1 to 40");
        assertThatThrownBy(() -> template()
                        .withValuesFile(values("workerPools: [{name: default}]"))
                        .call())
                .hasMessageContaining("is named twice");
    }

    private static Path values(String yaml) throws java.io.IOException {
        Path file = java.nio.file.Files.createTempFile("values-", ".yaml");
        file.toFile().deleteOnExit();
        return java.nio.file.Files.writeString(file, yaml);
    }

    /** Default values plus the one value without a default. */
    private static TemplateCommand template() {
        return new Helm(CHART).template().withName("demo").set("apiKeys.key", API_KEY);
    }

    private static List<JsonNode> render(TemplateCommand command) {
        String manifest = command.call();
        return StreamSupport.stream(
                        YAML.readerFor(JsonNode.class)
                                .readValues(manifest)
                                .readAll()
                                .spliterator(),
                        false)
                .map(JsonNode.class::cast)
                .filter(doc -> doc != null && doc.has("kind"))
                .toList();
    }

    private static Optional<JsonNode> find(List<JsonNode> docs, String kind, String name) {
        return docs.stream()
                .filter(d -> d.get("kind").asString().equals(kind)
                        && d.at("/metadata/name").asString().equals(name))
                .findFirst();
    }

    private static String env(JsonNode container, String name) {
        for (JsonNode e : container.get("env")) {
            if (e.get("name").asString().equals(name)) {
                return e.path("value").asString();
            }
        }
        throw new AssertionError(name + " not set");
    }
}
