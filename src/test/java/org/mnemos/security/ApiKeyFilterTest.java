package org.mnemos.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.head;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.options;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.mnemos.catalog.CatalogController;
import org.mnemos.catalog.MethodCatalog;
import org.mnemos.catalog.PresetCatalog;
import org.mnemos.engine.Datasets;
import org.mnemos.experiment.ExperimentController;
import org.mnemos.experiment.ExperimentService;
import org.mnemos.experiment.ExperimentStatus;
import org.mnemos.experiment.ExperimentViews;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

@WebMvcTest(
        controllers = {ExperimentController.class, CatalogController.class},
        properties = {
            "mnemos.security.api-keys[0].id=reader",
            "mnemos.security.api-keys[0].key=r-secret",
            "mnemos.security.api-keys[0].scopes=read",
            "mnemos.security.api-keys[1].id=writer",
            "mnemos.security.api-keys[1].sha256=90d69e968ead0b001bf76513a78e28b5533c4aa1baee660698fae819a1e823cb",
            "mnemos.security.api-keys[1].scopes=read,write"
        })
@EnableConfigurationProperties({SecurityProperties.class, org.mnemos.experiment.LimitsProperties.class})
class ApiKeyFilterTest {

    @Autowired
    MockMvc mvc;

    @MockitoBean
    ExperimentService service;

    @MockitoBean
    MethodCatalog methods;

    @MockitoBean
    PresetCatalog presets;

    @MockitoBean
    Datasets datasets;

    @MockitoBean
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    @Test
    void missingOrWrongKeyIs401Problem() throws Exception {
        assertProblem(mvc.perform(get("/api/v1/methods")).andReturn(), 401);
        assertProblem(
                mvc.perform(get("/api/v1/methods").header("X-API-Key", "nope")).andReturn(), 401);
        assertProblem(
                mvc.perform(get("/api/v1/methods").header("Authorization", "Bearer nope"))
                        .andReturn(),
                401);
    }

    @Test
    void readKeyReadsButCannotWrite() throws Exception {
        when(methods.list()).thenReturn(List.of());
        assertThat(mvc.perform(get("/api/v1/methods").header("X-API-Key", "r-secret"))
                        .andReturn()
                        .getResponse()
                        .getStatus())
                .isEqualTo(200);
        assertProblem(
                mvc.perform(post("/api/v1/experiments")
                                .header("X-API-Key", "r-secret")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{}"))
                        .andReturn(),
                403);
    }

    @Test
    void writeKeyGivenByHashSubmitsAndIsRecordedAsOwner() throws Exception {
        UUID id = UUID.randomUUID();
        when(service.submit(any(), any(), any()))
                .thenReturn(new ExperimentService.Submission(
                        new ExperimentViews.Submitted(id, ExperimentStatus.QUEUED), true));
        MvcResult result = mvc.perform(post("/api/v1/experiments")
                        .header("Authorization", "Bearer w-secret")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{}"))
                .andReturn();
        assertThat(result.getResponse().getStatus()).isEqualTo(201);
        org.mockito.Mockito.verify(service)
                .submit(any(), any(), org.mockito.ArgumentMatchers.eq(new Caller("writer", false)));
    }

    @Test
    void docsStayOpen() throws Exception {
        assertThat(mvc.perform(get("/v3/api-docs")).andReturn().getResponse().getStatus())
                .isNotIn(401, 403);
    }

    @Test
    void dashboardFilesAreOpenForGetAndHeadOnlyAndOpenNothingElse() throws Exception {
        assertThat(mvc.perform(get("/dashboard/app.js"))
                        .andReturn()
                        .getResponse()
                        .getStatus())
                .isEqualTo(200);
        assertThat(mvc.perform(head("/webjars/uplot/1.6.30/dist/uPlot.esm.js"))
                        .andReturn()
                        .getResponse()
                        .getStatus())
                .isEqualTo(200);
        assertThat(mvc.perform(get("/")).andReturn().getResponse().getStatus()).isNotIn(401, 403);
        assertProblem(mvc.perform(post("/dashboard/app.js")).andReturn(), 401);
        assertProblem(mvc.perform(options("/dashboard/app.js")).andReturn(), 401);
        // the API behind the page still needs a key, however the path is spelled
        assertProblem(mvc.perform(get("/dashboard/../api/v1/methods")).andReturn(), 401);
        assertProblem(mvc.perform(get("/webjars/swagger-ui/index.html")).andReturn(), 401);
    }

    private static void assertProblem(MvcResult result, int status) throws Exception {
        assertThat(result.getResponse().getStatus()).isEqualTo(status);
        assertThat(result.getResponse().getContentType()).startsWith("application/problem+json");
        assertThat(result.getResponse().getContentAsString()).contains("https://mnemos.dev/problems/");
    }
}
