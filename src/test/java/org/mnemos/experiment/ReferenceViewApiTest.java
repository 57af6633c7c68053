package org.mnemos.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mnemos.artifacts.ArtifactStore;
import org.mnemos.catalog.CatalogController;
import org.mnemos.catalog.MethodCatalog;
import org.mnemos.catalog.PresetCatalog;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.DataPaths;
import org.mnemos.engine.Datasets;
import org.mnemos.events.EventPublisher;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** GET /experiments/{id} of a finished preset run carries its reference; GET /presets lists the cards. */
@WebMvcTest(controllers = {ExperimentController.class, CatalogController.class})
@Import({
    ExperimentService.class,
    SpecReader.class,
    SpecValidator.class,
    MethodCatalog.class,
    PresetCatalog.class,
    org.mnemos.web.ProblemHandler.class,
    SubmissionValidationTest.Properties.class
})
class ReferenceViewApiTest {

    private static final JsonMapper JSON = SpecReader.json();
    /** Plans CIFAR-100 without its files, as a server that may download them does; nothing is fetched. */
    private static final Datasets DATASETS = new Datasets(new DataPaths(List.of()), true);

    private static final CilEngine PLANNER = DATASETS.engine(id -> null);

    @Autowired
    MockMvc mvc;

    @Autowired
    SpecReader reader;

    @MockitoBean
    CilEngine engine;

    @MockitoBean
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    @MockitoBean
    Datasets datasets;

    @MockitoBean
    org.mnemos.config.RunMemoryCheck memory;

    @MockitoBean
    Forks forks;

    @MockitoBean
    ExperimentRepository experiments;

    @MockitoBean
    PhaseRepository phases;

    @MockitoBean
    PhaseQueue queue;

    @MockitoBean
    EventPublisher events;

    @MockitoBean
    ArtifactStore artifacts;

    @MockitoBean
    VersionInfo versions;

    @MockitoBean
    org.mnemos.events.EventQueries eventQueries;

    @MockitoBean
    org.mnemos.artifacts.CheckpointUploads checkpoints;

    @BeforeEach
    void stubs() {
        when(versions.versions()).thenReturn(Map.of("mnemos", "test"));
        when(datasets.list()).thenReturn(DATASETS.list());
    }

    /** A SUCCEEDED run of this submission, stored as the service stores it, with these CNN accuracies. */
    private UUID finished(String body, double... cnn) {
        String resolved = JSON.writeValueAsString(
                PLANNER.plan(reader.read(body.getBytes(StandardCharsets.UTF_8)).spec())
                        .spec());
        Experiment experiment = new Experiment(
                UUID.randomUUID(),
                "run",
                body,
                resolved,
                "{\"classOrder\":[],\"phases\":[]}",
                0,
                "hash",
                cnn.length,
                null,
                null,
                "{}",
                Instant.EPOCH);
        experiment.transition(ExperimentStatus.SUCCEEDED, Instant.EPOCH);
        List<Phase> rows = new ArrayList<>();
        for (int i = 0; i < cnn.length; i++) {
            Phase phase = new Phase(experiment.getId(), i, "[]");
            phase.complete("cnn", cnn[i], cnn[i], null, null, cnn[i], null, null, 20, 0, 1, 1, Instant.EPOCH);
            rows.add(phase);
        }
        when(experiments.findById(experiment.getId())).thenReturn(Optional.of(experiment));
        when(phases.findByExperiment(experiment.getId())).thenReturn(rows);
        return experiment.getId();
    }

    private JsonNode getJson(String path) throws Exception {
        var response = mvc.perform(get(path)).andReturn().getResponse();
        assertThat(response.getStatus()).as(path).isEqualTo(200);
        return JSON.readTree(response.getContentAsString());
    }

    @Test
    void aFinishedRunOfThePresetAsItIsShowsItsDeltaToThePublishedFigure() throws Exception {
        UUID id = finished("{\"preset\":\"cifar100-lucir-b50-10\",\"seed\":3}", 0.8, 0.7, 0.6);

        JsonNode reference = getJson("/api/v1/experiments/" + id).path("reference");

        assertThat(reference.path("preset").asString()).isEqualTo("cifar100-lucir-b50-10");
        assertThat(reference.path("status").asString()).isEqualTo("compared");
        assertThat(reference.path("card").path("percent").asDouble()).isEqualTo(60.14);
        assertThat(reference.path("card").path("metric").asString()).isEqualTo("averageIncremental");
        assertThat(reference.path("card").path("classifier").asString()).isEqualTo("cnn");
        assertThat(reference.path("card").path("memory").path("mode").asString())
                .isEqualTo("perClass");
        assertThat(reference.path("card").path("paper").path("year").asInt()).isEqualTo(2020);
        assertThat(reference.path("runPercent").asDouble()).isCloseTo(70.0, within(1e-9));
        assertThat(reference.path("referenceDelta").asDouble()).isCloseTo(70.0 - 60.14, within(1e-9));
        assertThat(reference.path("differences").isArray()).isTrue();
        assertThat(reference.path("differences").isEmpty()).isTrue();
    }

    @Test
    void aRunThatChangedTheScheduleNamesTheFieldAndGivesNoDelta() throws Exception {
        UUID id = finished(
                "{\"preset\":\"cifar100-lucir-b50-10\",\"training\":{\"epochs\":2,"
                        + "\"schedule\":{\"name\":\"multistep\",\"milestones\":[1],\"gamma\":0.1}}}",
                0.8,
                0.7,
                0.6);

        JsonNode reference = getJson("/api/v1/experiments/" + id).path("reference");

        assertThat(reference.path("status").asString()).isEqualTo("specDiffers");
        assertThat(reference.has("referenceDelta")).isFalse();
        assertThat(reference.has("runPercent")).isFalse();
        JsonNode differences = reference.path("differences");
        assertThat(differences.size()).isEqualTo(2);
        assertThat(differences.get(0).path("field").asString()).isEqualTo("training.epochs");
        assertThat(differences.get(0).path("run").asInt()).isEqualTo(2);
        assertThat(differences.get(0).path("preset").asInt()).isEqualTo(160);
        assertThat(differences.get(1).path("field").asString()).isEqualTo("training.schedule.milestones");
        assertThat(reference.path("explanation").asString())
                .contains("training.epochs", "training.schedule.milestones");
    }

    @Test
    void aRunOfAPresetWithoutACardHasNoReference() throws Exception {
        UUID id = finished("{\"preset\":\"cifar100-b0-10\"}", 0.9, 0.8);

        assertThat(getJson("/api/v1/experiments/" + id).has("reference")).isFalse();
    }

    @Test
    void thePresetListShowsEachCard() throws Exception {
        JsonNode presets = getJson("/api/v1/presets");

        JsonNode lucir = find(presets, "cifar100-lucir-b50-5");
        assertThat(lucir.path("reference").path("percent").asDouble()).isEqualTo(63.17);
        assertThat(lucir.path("reference").path("table").asString()).contains("LUCIR (2019)", "N=5");
        assertThat(lucir.path("reference").path("source").asString()).isNotBlank();
        assertThat(lucir.path("spec").has("reference")).isFalse();
        JsonNode abd = find(presets, "cifar100-abd-20");
        assertThat(abd.path("reference").path("metric").asString()).isEqualTo("final");
        assertThat(abd.path("reference").path("runs").asInt()).isEqualTo(3);
        assertThat(abd.path("reference").path("plusMinus").asDouble()).isEqualTo(1.4);
        assertThat(abd.path("reference").path("memory").path("mode").asString()).isEqualTo("none");
        assertThat(find(presets, "split-mnist").has("reference")).isFalse();
    }

    private static JsonNode find(JsonNode presets, String name) {
        for (JsonNode preset : presets) {
            if (preset.path("name").asString().equals(name)) {
                return preset;
            }
        }
        throw new AssertionError("no preset " + name);
    }
}
