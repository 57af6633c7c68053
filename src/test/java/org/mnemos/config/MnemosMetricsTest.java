package org.mnemos.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

class MnemosMetricsTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(EmbeddedDbProperties.class)
    static class Props {}

    @Test
    void gaugesCountExperimentsByStatusAndUnpickedTasks() {
        new ApplicationContextRunner()
                .withUserConfiguration(Props.class, EmbeddedDatabaseConfiguration.class)
                .withPropertyValues(
                        "mnemos.embedded-db.ephemeral=true",
                        "mnemos.embedded-db.port=0",
                        "mnemos.embedded-db.fsync=false")
                .run(context -> {
                    DataSource dataSource = context.getBean(DataSource.class);
                    Flyway.configure()
                            .dataSource(dataSource)
                            .locations("classpath:db/migration")
                            .load()
                            .migrate();
                    JdbcTemplate jdbc = new JdbcTemplate(dataSource);
                    insertExperiment(jdbc, "RUNNING");
                    insertExperiment(jdbc, "QUEUED");
                    insertExperiment(jdbc, "QUEUED");
                    insertTask(jdbc, "a", false);
                    insertTask(jdbc, "b", false);
                    insertTask(jdbc, "c", true);

                    SimpleMeterRegistry registry = new SimpleMeterRegistry();
                    MnemosMetrics metrics = new MnemosMetrics(jdbc, registry, Duration.ZERO);

                    assertThat(registry.get("mnemos.experiments")
                                    .tag("status", "queued")
                                    .gauge()
                                    .value())
                            .isEqualTo(2);
                    assertThat(registry.get("mnemos.experiments")
                                    .tag("status", "running")
                                    .gauge()
                                    .value())
                            .isEqualTo(1);
                    assertThat(registry.get("mnemos.experiments")
                                    .tag("status", "failed")
                                    .gauge()
                                    .value())
                            .isZero();
                    assertThat(registry.get("mnemos.queue.depth").gauge().value())
                            .isEqualTo(2);

                    metrics.recordPhase(Duration.ofSeconds(3), 1500);
                    metrics.recordPhase(Duration.ofSeconds(5), 2500);
                    assertThat(registry.get("mnemos.phase.duration").timer().count())
                            .isEqualTo(2);
                    assertThat(registry.get("mnemos.phase.duration")
                                    .timer()
                                    .totalTime(java.util.concurrent.TimeUnit.SECONDS))
                            .isEqualTo(8.0);
                    assertThat(registry.get("mnemos.phase.images_per_second")
                                    .summary()
                                    .mean())
                            .isEqualTo(2000.0);
                });
    }

    private static void insertExperiment(JdbcTemplate jdbc, String status) {
        jdbc.update(
                "insert into experiments (id, name, status, submitted_spec, resolved_spec, plan, seed, spec_hash,"
                        + " phase_count, versions) values (?, 'm', ?, '{}', '{}', '{}', 0, 'h', 1, '{}')",
                UUID.randomUUID(),
                status);
    }

    private static void insertTask(JdbcTemplate jdbc, String instance, boolean picked) {
        jdbc.update(
                "insert into scheduled_tasks (task_name, task_instance, execution_time, picked, version)"
                        + " values ('run-phase', ?, now(), ?, 1)",
                instance,
                picked);
    }
}
