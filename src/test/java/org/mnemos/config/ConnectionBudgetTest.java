package org.mnemos.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The connection arithmetic: the issue's 20 workers and 2 API pods against PostgreSQL's default of 100. */
class ConnectionBudgetTest {

    private static final ConnectionBudget.Server DEFAULT_SERVER = new ConnectionBudget.Server(100, 3, 10);

    @Test
    void aPlannedTotalAboveWhatPostgresAllowsIsRefusedWithTheNumbers() {
        int issueCase = 22 * (16 + ConnectionBudget.LISTEN_CONNECTIONS);
        assertThat(issueCase).isEqualTo(374);
        assertThat(ConnectionBudget.assess(16, issueCase, DEFAULT_SERVER, 16))
                .hasValueSatisfying(problem -> assertThat(problem)
                        .startsWith("The deployment plans 374 connections")
                        .contains("more than the 97 PostgreSQL allows (max_connections 100 - 3 reserved)"));
        assertThat(ConnectionBudget.assess(16, 97, DEFAULT_SERVER, 16)).isEmpty();
    }

    @Test
    void withoutAPlanTheConnectionsOpenNowAndThisProcesssRestMustFit() {
        // 90 open, 4 of them this process's: 12 pooled + 1 LISTEN still to come makes 103
        assertThat(ConnectionBudget.assess(16, null, new ConnectionBudget.Server(100, 3, 90), 4))
                .hasValueSatisfying(problem -> assertThat(problem)
                        .startsWith(
                                "PostgreSQL has 90 connections open and this process may open 13 more (16 pooled + 1 for live"
                                        + " events, 4 already open): 103 > the 97 it allows"));
        assertThat(ConnectionBudget.assess(16, null, new ConnectionBudget.Server(100, 3, 80), 16))
                .isEmpty();
    }
}
