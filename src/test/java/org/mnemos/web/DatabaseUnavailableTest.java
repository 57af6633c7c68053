package org.mnemos.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.mnemos.experiment.ExperimentController;
import org.mnemos.experiment.ExperimentService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.transaction.CannotCreateTransactionException;

/** While the database cannot be reached, requests get a retryable 503, not a 500. */
@WebMvcTest(controllers = ExperimentController.class)
@EnableConfigurationProperties({
    org.mnemos.security.SecurityProperties.class,
    org.mnemos.experiment.LimitsProperties.class
})
class DatabaseUnavailableTest {

    @Autowired
    MockMvc mvc;

    @MockitoBean
    ExperimentService service;

    @MockitoBean
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    @Test
    void noConnectionIsA503WithRetryAfter() throws Exception {
        when(service.get(any()))
                .thenThrow(new CannotCreateTransactionException(
                        "Could not open JPA EntityManager",
                        new RuntimeException(
                                "HikariPool-1 - Connection is not available, request timed out after 10000ms")));
        when(service.list(any(), any(), any(), any())).thenThrow(new CannotGetJdbcConnectionException("no connection"));
        for (String path : new String[] {"/api/v1/experiments/" + UUID.randomUUID(), "/api/v1/experiments"}) {
            MvcResult result = mvc.perform(get(path)).andReturn();
            assertThat(result.getResponse().getStatus()).as(path).isEqualTo(503);
            assertThat(result.getResponse().getHeader("Retry-After")).isEqualTo("10");
            assertThat(result.getResponse().getContentAsString())
                    .contains("https://mnemos.dev/problems/service-unavailable")
                    .doesNotContain("Hikari");
        }
    }
}
