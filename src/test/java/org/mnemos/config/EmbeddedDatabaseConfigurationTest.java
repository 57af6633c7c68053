package org.mnemos.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

class EmbeddedDatabaseConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(EmbeddedDbProperties.class)
    static class Props {}

    @TempDir
    Path dataDir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withUserConfiguration(Props.class, EmbeddedDatabaseConfiguration.class)
                .withPropertyValues("mnemos.embedded-db.dir=" + dataDir, "mnemos.embedded-db.port=0");
    }

    @Test
    void dataSurvivesARestartWithFsyncOnByDefault() {
        runner().run(context -> {
            JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
            assertThat(jdbc.queryForObject("show fsync", String.class)).isEqualTo("on");
            assertThat(jdbc.queryForObject("show synchronous_commit", String.class)).isEqualTo("on");
            jdbc.execute("create table kept (v text)");
            jdbc.update("insert into kept values ('still here')");
        });
        assertThat(dataDir.resolve("PG_VERSION")).exists();

        runner().run(context -> {
            JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
            assertThat(jdbc.queryForObject("select v from kept", String.class)).isEqualTo("still here");
        });
    }

    @Test
    void fsyncCanBeTurnedOffForTests() {
        runner().withPropertyValues("mnemos.embedded-db.fsync=false").run(context -> {
            JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
            assertThat(jdbc.queryForObject("show fsync", String.class)).isEqualTo("off");
        });
    }

    @Test
    void backsOffWhenAnExternalDatabaseIsConfigured() {
        runner().withPropertyValues("spring.datasource.url=jdbc:postgresql://db.example:5432/mnemos").run(context ->
                assertThat(context).doesNotHaveBean(DataSource.class).doesNotHaveBean("embeddedPostgres"));
    }
}
