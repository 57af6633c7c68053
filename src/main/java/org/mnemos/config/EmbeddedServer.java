package org.mnemos.config;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ApplicationEventPublisher;

/**
 * The PostgreSQL server Mnemos runs itself (zonky binaries). Before it starts, a server this data
 * directory still has from a process that died is stopped, and a port held by anything else is
 * refused rather than silently connected to. While it runs it is watched: should it die, liveness
 * turns DOWN so that the supervisor restarts the process (which starts a new server) instead of
 * every request waiting for the pool's timeout.
 */
final class EmbeddedServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedServer.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);
    /** pg_ctl returns once the pid file is gone; the process itself may take a moment longer to end. */
    private static final Duration PG_CTL_GRACE = Duration.ofSeconds(5);

    private final EmbeddedPostgres postgres;
    private final Path dataDir;
    private final Postmaster postmaster;
    private final ScheduledExecutorService watchdog;

    private EmbeddedServer(
            EmbeddedPostgres postgres, Path dataDir, Postmaster postmaster, ScheduledExecutorService watchdog) {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.postmaster = postmaster;
        this.watchdog = watchdog;
    }

    static EmbeddedServer start(
            EmbeddedDbProperties properties, ApplicationEventPublisher events, Duration watchInterval)
            throws IOException {
        Path dir = properties.ephemeral()
                ? Files.createTempDirectory("mnemos-pgdata-")
                : Files.createDirectories(properties.dir().toAbsolutePath().normalize());
        Postmaster.of(dir).ifPresent(leftover -> {
            log.warn(
                    "Stopping the PostgreSQL server (pid {}) that a previous process left running on {}",
                    leftover.pid(),
                    dir);
            leftover.stop(STOP_WAIT);
        });
        if (properties.port() != 0 && Postmaster.portInUse(properties.port())) {
            throw new IllegalStateException(
                    "port " + properties.port() + " is held by another server, not the PostgreSQL of " + dir
                            + "; stop it or set mnemos.embedded-db.port");
        }
        String durability = properties.fsync() ? "on" : "off";
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(properties.ephemeral())
                // Spring closes the bean; a second JVM hook would race the pool's shutdown
                .setRegisterShutdownHook(false)
                .setPort(properties.port())
                .setPGStartupWait(properties.startupTimeout())
                .setServerConfig("fsync", durability)
                .setServerConfig("synchronous_commit", durability)
                .setServerConfig("full_page_writes", durability)
                .setServerConfig("listen_addresses", "localhost")
                .setServerConfig("max_connections", "100")
                .start();
        Postmaster postmaster = Postmaster.of(dir)
                .orElseThrow(() -> new IllegalStateException(
                        "the embedded PostgreSQL started but its postmaster.pid names no live server"));
        log.info(
                "Embedded PostgreSQL (pid {}) on port {} with data in {} (fsync {})",
                postmaster.pid(),
                postgres.getPort(),
                dir,
                durability);
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "embedded-postgres-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        EmbeddedServer server = new EmbeddedServer(postgres, dir, postmaster, watchdog);
        watchdog.scheduleWithFixedDelay(
                () -> server.check(events), watchInterval.toMillis(), watchInterval.toMillis(), TimeUnit.MILLISECONDS);
        return server;
    }

    private void check(ApplicationEventPublisher events) {
        if (!postmaster.isAlive() && !watchdog.isShutdown()) {
            log.error(
                    "The embedded PostgreSQL server (pid {}) has stopped; liveness is now DOWN so that the process is restarted",
                    postmaster.pid());
            AvailabilityChangeEvent.publish(events, this, LivenessState.BROKEN);
            watchdog.shutdown();
        }
    }

    String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    long pid() {
        return postmaster.pid();
    }

    /** Stops watching, then the server: zonky's {@code pg_ctl stop}, and a signal where that did not work (as root). */
    @Override
    public void close() throws IOException {
        watchdog.shutdownNow();
        postgres.close();
        if (!postmaster.exitsWithin(PG_CTL_GRACE)) {
            log.info("Stopping PostgreSQL server {} of {} by signal", postmaster.pid(), dataDir);
            postmaster.stop(STOP_WAIT);
        }
    }
}
