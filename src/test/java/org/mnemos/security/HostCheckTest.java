package org.mnemos.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mnemos.catalog.CatalogController;
import org.mnemos.catalog.MethodCatalog;
import org.mnemos.catalog.PresetCatalog;
import org.mnemos.engine.Datasets;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

/** Without API keys, only requests addressed to a local name are served: a page on another site cannot rebind one. */
@WebMvcTest(controllers = CatalogController.class, properties = "mnemos.security.allowed-hosts=mnemos.lab.internal")
@EnableConfigurationProperties({SecurityProperties.class, org.mnemos.experiment.LimitsProperties.class})
class HostCheckTest {

    @Autowired
    MockMvc mvc;

    @MockitoBean
    MethodCatalog methods;

    @MockitoBean
    PresetCatalog presets;

    @MockitoBean
    Datasets datasets;

    @MockitoBean
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    @Test
    void foreignHostIsRefusedLocalAndAllowedHostsAreServed() throws Exception {
        when(methods.list()).thenReturn(List.of());
        MvcResult foreign =
                mvc.perform(get("http://attacker.example:8080/api/v1/methods")).andReturn();
        assertThat(foreign.getResponse().getStatus()).isEqualTo(421);
        assertThat(foreign.getResponse().getContentAsString()).contains("https://mnemos.dev/problems/untrusted-host");
        for (String host : List.of("localhost", "127.0.0.1", "[::1]", "mnemos.lab.internal", "LOCALHOST.")) {
            assertThat(mvc.perform(get("http://" + host + ":8080/api/v1/methods"))
                            .andReturn()
                            .getResponse()
                            .getStatus())
                    .as(host)
                    .isEqualTo(200);
        }
    }
}
