package org.mnemos.config;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The PostgreSQL server Mnemos starts itself when no {@code spring.datasource.url} is configured.
 *
 * @param dir data directory; kept across restarts (never under java.io.tmpdir, which zonky cleans)
 * @param port fixed port so that a restart finds the same server address; 0 picks a free one
 * @param fsync off only for throw-away test databases
 * @param startupTimeout how long initdb + start may take on a slow machine
 * @param ephemeral tests only: a fresh cluster in a temporary directory, deleted on shutdown ({@code dir} ignored)
 */
@ConfigurationProperties("mnemos.embedded-db")
public record EmbeddedDbProperties(
        @DefaultValue("./.mnemos/pgdata") Path dir,
        @DefaultValue("5433") int port,
        @DefaultValue("true") boolean fsync,
        @DefaultValue("120s") Duration startupTimeout,
        @DefaultValue("false") boolean ephemeral) {}
