package org.mnemos.support;

import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;

/** Minimal experiment rows for tests of tables that reference {@code experiments}. */
public final class TestExperiments {

    private TestExperiments() {}

    public static UUID insert(JdbcTemplate jdbc) {
        UUID id = UUID.randomUUID();
        jdbc.update(
                "insert into experiments (id, name, status, submitted_spec, resolved_spec, plan, seed, spec_hash,"
                        + " phase_count, versions) values (?, 'test', 'RUNNING', '{}', '{}', '{}', 0, 'hash', 2, '{}')",
                id);
        return id;
    }
}
