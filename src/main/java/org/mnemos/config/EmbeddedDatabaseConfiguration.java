package org.mnemos.config;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Without {@code spring.datasource.url}, runs a PostgreSQL server (zonky binaries) on a persistent
 * data directory so that {@code java -jar} needs nothing else installed. Hikari's pool settings
 * still come from {@code spring.datasource.hikari.*}.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(OnMissingDatasourceUrl.class)
public class EmbeddedDatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseConfiguration.class);

    /** Closed after the DataSource (which depends on it), so the pool drains before the server stops. */
    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(EmbeddedDbProperties properties) throws IOException {
        Path dir = properties.ephemeral()
                ? Files.createTempDirectory("mnemos-pgdata-")
                : Files.createDirectories(properties.dir().toAbsolutePath().normalize());
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
        log.info("Embedded PostgreSQL on port {} with data in {} (fsync {})", postgres.getPort(), dir, durability);
        return postgres;
    }

    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(EmbeddedPostgres postgres) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        dataSource.setUsername("postgres");
        dataSource.setPoolName("mnemos-embedded");
        return dataSource;
    }
}
