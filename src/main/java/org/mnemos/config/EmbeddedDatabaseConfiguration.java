package org.mnemos.config;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Without {@code spring.datasource.url}, runs a PostgreSQL server ({@link EmbeddedServer}) on a
 * persistent data directory so that {@code java -jar} needs nothing else installed. Hikari's pool
 * settings still come from {@code spring.datasource.hikari.*}.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(OnMissingDatasourceUrl.class)
public class EmbeddedDatabaseConfiguration {

    /** How often the server process is checked; a dead server turns liveness DOWN within this. */
    static final Duration WATCH_INTERVAL = Duration.ofSeconds(5);

    /** Closed after the DataSource (which depends on it), so the pool drains before the server stops. */
    @Bean(destroyMethod = "close")
    EmbeddedServer embeddedPostgres(EmbeddedDbProperties properties, ApplicationEventPublisher events)
            throws IOException {
        return EmbeddedServer.start(properties, events, WATCH_INTERVAL);
    }

    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(EmbeddedServer postgres) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.jdbcUrl());
        dataSource.setUsername("postgres");
        dataSource.setPoolName("mnemos-embedded");
        return dataSource;
    }
}
