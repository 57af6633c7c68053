package org.mnemos.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.mnemos.support.TestDatabase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The committed contract {@code openapi/openapi.yaml} must equal what the application serves.
 * Regenerate it after an API change with:
 * {@code mvn -o test -Dtest=OpenApiContractTest -Dmnemos.openapi.write=true}.
 * Runs the API-only role ({@code mnemos.worker.enabled=false}), which must boot without a worker.
 */
@SpringBootTest(properties = "mnemos.worker.enabled=false")
@AutoConfigureMockMvc
class OpenApiContractTest {

    private static final Path CONTRACT = Path.of("openapi", "openapi.yaml");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @Autowired
    MockMvc mvc;
    // the implementations live in other packages; the contract only needs their controllers' signatures
    @MockitoBean
    org.mnemos.events.EventPublisher events;

    @MockitoBean
    org.mnemos.artifacts.ArtifactStore artifacts;

    @MockitoBean
    org.mnemos.artifacts.PhaseArtifacts downloads;

    @MockitoBean
    org.mnemos.engine.Datasets datasets;

    @MockitoBean
    org.mnemos.engine.CilEngine engine;

    @Test
    void servedContractEqualsTheCommittedOne() throws Exception {
        String served = mvc.perform(get("/v3/api-docs.yaml"))
                .andReturn()
                .getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(served).contains("/api/v1/experiments");
        if (Boolean.getBoolean("mnemos.openapi.write")) {
            Files.createDirectories(CONTRACT.getParent());
            Files.writeString(CONTRACT, served, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(CONTRACT))
                .as(CONTRACT + " exists (generate it with -Dmnemos.openapi.write=true)")
                .isTrue();
        assertThat(served)
                .as("served contract differs from " + CONTRACT + "; regenerate with -Dmnemos.openapi.write=true")
                .isEqualTo(Files.readString(CONTRACT, StandardCharsets.UTF_8));
    }
}
