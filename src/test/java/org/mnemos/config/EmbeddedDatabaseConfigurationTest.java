package org.mnemos.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.application.LivenessStateHealthIndicator;
import org.springframework.boot.health.contributor.Status;
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
            assertThat(jdbc.queryForObject("show synchronous_commit", String.class))
                    .isEqualTo("on");
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
        runner().withPropertyValues("spring.datasource.url=jdbc:postgresql://db.example:5432/mnemos")
                .run(context ->
                        assertThat(context).doesNotHaveBean(DataSource.class).doesNotHaveBean("embeddedPostgres"));
    }

    @Test
    void livenessTurnsDownWithinThirtySecondsOfTheServerDying() {
        runner().withConfiguration(AutoConfigurations.of(ApplicationAvailabilityAutoConfiguration.class))
                .run(context -> {
                    // what SpringApplication announces once started; the context runner does not
                    AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
                    LivenessStateHealthIndicator liveness =
                            new LivenessStateHealthIndicator(context.getBean(ApplicationAvailability.class));
                    assertThat(liveness.health().getStatus()).isEqualTo(Status.UP);
                    ProcessHandle server = ProcessHandle.of(
                                    context.getBean(EmbeddedServer.class).pid())
                            .orElseThrow();
                    server.destroyForcibly();
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (liveness.health().getStatus() != Status.DOWN) {
                        assertThat(System.nanoTime())
                                .as("liveness still UP 30 s after the server died")
                                .isLessThan(deadline);
                        Thread.sleep(250);
                    }
                });
    }

    @Test
    void aServerLeftRunningOnTheDataDirectoryByAKilledProcessIsStoppedAndReplaced() throws Exception {
        int port = freePort();
        Process abandoning = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        AbandonedPostgres.class.getName(),
                        dataDir.toString(),
                        String.valueOf(port))
                .inheritIO()
                .start();
        assertThat(abandoning.waitFor(120, TimeUnit.SECONDS)).isTrue();
        long leftover = Long.parseLong(
                Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        assertThat(ProcessHandle.of(leftover).map(ProcessHandle::isAlive))
                .as("the abandoned server runs on")
                .contains(true);

        runner().withPropertyValues("mnemos.embedded-db.port=" + port).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(ProcessHandle.of(leftover).map(ProcessHandle::isAlive).orElse(false))
                    .as("the leftover server stopped")
                    .isFalse();
            assertThat(context.getBean(EmbeddedServer.class).pid()).isNotEqualTo(leftover);
            JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
            assertThat(jdbc.queryForObject("select 1", Integer.class)).isEqualTo(1);
        });
    }

    @Test
    void aPortHeldBySomethingElseIsRefused() throws Exception {
        try (ServerSocket foreign = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            runner().withPropertyValues("mnemos.embedded-db.port=" + foreign.getLocalPort())
                    .run(context -> assertThat(context)
                            .getFailure()
                            .rootCause()
                            .hasMessageStartingWith("port " + foreign.getLocalPort()
                                    + " is held by another server, not the PostgreSQL of"));
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
