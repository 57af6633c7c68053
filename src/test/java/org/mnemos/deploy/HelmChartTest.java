package org.mnemos.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
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
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
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
        assertThat(workerContainer.at("/readinessProbe/httpGet/path").asString()).isEqualTo("/actuator/health/readiness");
        assertThat(env(apiContainer, "MNEMOS_WORKER_ENABLED")).isEqualTo("false");
        assertThat(env(workerContainer, "MNEMOS_WORKER_ENABLED")).isEqualTo("true");
        assertThat(env(apiContainer, "SPRING_PROFILES_ACTIVE")).isEqualTo("container");
        assertThat(env(apiContainer, "MNEMOS_DATA_ROOTS")).isEqualTo("/data");
        assertThat(workerContainer.at("/resources/limits").has("nvidia.com/gpu")).isFalse();
        assertThat(workerContainer.at("/env").toString()).doesNotContain("MNEMOS_WORKER_DEVICE");

        JsonNode pvc = find(docs, "PersistentVolumeClaim", "demo-mnemos-artifacts").orElseThrow();
        assertThat(pvc.at("/spec/accessModes/0").asString()).isEqualTo("ReadWriteMany");
        for (JsonNode deployment : List.of(api, worker)) {
            assertThat(deployment.at("/spec/template/spec/volumes").toString()).contains("demo-mnemos-artifacts");
            assertThat(deployment.at("/spec/template/spec/containers/0/volumeMounts").toString())
                    .contains("/var/lib/mnemos/artifacts", "\"mountPath\":\"/data\",\"readOnly\":true");
        }
        assertThat(find(docs, "Service", "demo-mnemos")).isPresent();
        assertThat(find(docs, "ConfigMap", "demo-mnemos").orElseThrow().at("/data/application.yml").asString())
                .contains("dir: /var/lib/mnemos/artifacts");
    }

    @Test
    void anApiKeyIsRequiredAndGoesThroughASecret() {
        assertThatThrownBy(() -> new Helm(CHART).template().withName("demo").call())
                .hasMessageContaining("Set apiKeys.key or apiKeys.existingSecret");

        JsonNode given = find(render(template()), "Secret", "demo-mnemos-api-keys").orElseThrow();
        assertThat(new String(Base64.getDecoder().decode(given.at("/data/api-key").asString()))).isEqualTo(API_KEY);
        JsonNode api = find(render(template()), "Deployment", "demo-mnemos-api").orElseThrow();
        assertThat(api.toString()).doesNotContain(API_KEY);
        JsonNode container = api.at("/spec/template/spec/containers/0");
        assertThat(env(container, "MNEMOS_SECURITY_APIKEYS_0_ID")).isEqualTo("admin");
        assertThat(env(container, "MNEMOS_SECURITY_APIKEYS_0_SCOPES")).isEqualTo("read,write");

        List<JsonNode> external = render(new Helm(CHART).template().withName("demo").set("apiKeys.existingSecret", "keys"));
        assertThat(find(external, "Secret", "demo-mnemos-api-keys")).isEmpty();
        assertThat(find(external, "Deployment", "demo-mnemos-api").orElseThrow().toString()).contains("\"name\":\"keys\"");
    }

    @Test
    void gpuValuesRequestGpusAndPlaceWorkersOnGpuNodes() {
        List<JsonNode> docs = render(template()
                .withValuesFile(CHART.resolve("values-gpu.yaml")));
        JsonNode worker = find(docs, "Deployment", "demo-mnemos-worker").orElseThrow();
        JsonNode pod = worker.at("/spec/template/spec");

        assertThat(worker.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(pod.at("/containers/0/resources/limits/nvidia.com~1gpu").asInt()).isEqualTo(1);
        assertThat(env(pod.at("/containers/0"), "MNEMOS_WORKER_DEVICE")).as("one phase per GPU the pod is given")
                .isEqualTo("gpu");
        assertThat(pod.at("/containers/0/image").asString()).isEqualTo("mnemos:0.1.0-cu128");
        assertThat(pod.at("/nodeSelector/nvidia.com~1gpu.present").asString()).isEqualTo("true");
        assertThat(pod.at("/tolerations/0/key").asString()).isEqualTo("nvidia.com/gpu");
        JsonNode api = find(docs, "Deployment", "demo-mnemos-api").orElseThrow();
        assertThat(api.at("/spec/template/spec/containers/0/resources/limits").has("nvidia.com/gpu")).isFalse();
    }

    @Test
    void databasePasswordGoesThroughASecret() {
        List<JsonNode> docs = render(template().set("database.password", "s3cret"));
        JsonNode secret = find(docs, "Secret", "demo-mnemos-db").orElseThrow();
        assertThat(new String(Base64.getDecoder().decode(secret.at("/data/password").asString()))).isEqualTo("s3cret");
        assertThat(find(docs, "Deployment", "demo-mnemos-api").orElseThrow().toString()).doesNotContain("s3cret");
    }

    /** Default values plus the one value without a default. */
    private static TemplateCommand template() {
        return new Helm(CHART).template().withName("demo").set("apiKeys.key", API_KEY);
    }

    private static List<JsonNode> render(TemplateCommand command) {
        String manifest = command.call();
        return StreamSupport.stream(YAML.readerFor(JsonNode.class).readValues(manifest).readAll().spliterator(), false)
                .map(JsonNode.class::cast)
                .filter(doc -> doc != null && doc.has("kind"))
                .toList();
    }

    private static Optional<JsonNode> find(List<JsonNode> docs, String kind, String name) {
        return docs.stream()
                .filter(d -> d.get("kind").asString().equals(kind) && d.at("/metadata/name").asString().equals(name))
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
