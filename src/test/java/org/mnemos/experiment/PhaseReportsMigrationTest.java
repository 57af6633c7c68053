package org.mnemos.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;
import org.mnemos.support.TestDatabase;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** V10 moves the five report columns of stored phases into the one reports column. */
class PhaseReportsMigrationTest {

    @Test
    void theOldReportColumnsLandInReportsUnderTheirNames() {
        DriverManagerDataSource dataSource =
                new DriverManagerDataSource(TestDatabase.freshDatabase("v10"), "postgres", "postgres");
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .target(MigrationVersion.fromVersion("9"))
                .load()
                .migrate();
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        UUID id = UUID.randomUUID();
        jdbc.update(
                "insert into experiments (id, name, status, submitted_spec, resolved_spec, plan, seed, spec_hash,"
                        + " phase_count, versions) values (?, 'm', 'SUCCEEDED', '{}', '{}', '{}', 0, 'h', 3, '{}')",
                id);
        jdbc.update(
                "insert into phases (experiment_id, phase_index, classes, status) values (?, 0, '[0]', 'COMPLETED')",
                id);
        jdbc.update(
                "insert into phases (experiment_id, phase_index, classes, status, memory_report, mnemonics_report,"
                        + " aggregation_weights, student_accuracy) values (?, 1, '[1]', 'COMPLETED',"
                        + " '{\"compression\":\"cim\",\"storedBytes\":42,\"cim\":{\"mode\":\"bilevel\",\"metaSteps\":3}}',"
                        + " '{\"mode\":\"bilevel\",\"steps\":7}', '[[0.5,0.5],[0.6,0.4]]', 0.75)",
                id);
        jdbc.update(
                "insert into phases (experiment_id, phase_index, classes, status, inversion_report)"
                        + " values (?, 2, '[2]', 'COMPLETED', '{\"iterations\":6,\"firstLoss\":null}')",
                id);

        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();

        JsonMapper json = JsonMapper.builder().build();
        assertThat(reports(jdbc, id, 0)).isNull();
        JsonNode phase1 = json.readTree(reports(jdbc, id, 1));
        assertThat(phase1.propertyNames())
                .containsExactlyInAnyOrder("memory", "cim", "mnemonics", "aggregation", "student");
        assertThat(phase1.path("memory").path("storedBytes").asInt()).isEqualTo(42);
        assertThat(phase1.path("memory").has("cim"))
                .as("CIM's report is filed under its own name")
                .isFalse();
        assertThat(phase1.path("cim").path("metaSteps").asInt()).isEqualTo(3);
        assertThat(phase1.path("mnemonics").path("steps").asInt()).isEqualTo(7);
        assertThat(phase1.path("aggregation").path("weights").get(1).get(0).asDouble())
                .isEqualTo(0.6);
        assertThat(phase1.path("student").path("accuracy").asDouble()).isEqualTo(0.75);
        JsonNode phase2 = json.readTree(reports(jdbc, id, 2));
        assertThat(phase2.propertyNames()).containsExactly("inversion");
        assertThat(phase2.path("inversion").path("iterations").asInt()).isEqualTo(6);
        assertThat(jdbc.queryForObject(
                        "select count(*) from information_schema.columns where table_name = 'phases'"
                                + " and column_name in ('memory_report', 'mnemonics_report', 'inversion_report', 'aggregation_weights',"
                                + " 'student_accuracy')",
                        Integer.class))
                .isZero();
    }

    private static String reports(JdbcTemplate jdbc, UUID id, int phase) {
        return jdbc.queryForObject(
                "select reports::text from phases where experiment_id = ? and phase_index = ?",
                String.class,
                id,
                phase);
    }
}
