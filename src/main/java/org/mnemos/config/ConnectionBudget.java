package org.mnemos.config;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Checks at startup that PostgreSQL can take this process's connections: Hikari's pool
 * ({@code spring.datasource.hikari.maximum-pool-size}, opened in full: the minimum idle defaults to
 * the maximum) plus the one LISTEN connection of live events. Every Mnemos process, API or worker,
 * holds that many, so a deployment needs {@code Σ replicas × (pool + 1)} connections of PostgreSQL's
 * {@code max_connections} less those reserved for superusers. With {@code mnemos.connections.planned}
 * (the deployment's total; the Helm chart sets it) the total is checked; without it, whether the
 * connections open now plus this process's leave PostgreSQL room. The log line says the arithmetic.
 */
@Component
@EnableConfigurationProperties(ConnectionBudget.Properties.class)
public class ConnectionBudget implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(ConnectionBudget.class);
    /** The LISTEN connection of {@code EventListenerService}, opened beside the pool. */
    static final int LISTEN_CONNECTIONS = 1;

    /**
     * @param planned the connections every Mnemos process of the deployment may hold together; unset: unknown
     * @param onExceed {@code warn} (log and start) or {@code fail} (refuse to start)
     */
    @ConfigurationProperties("mnemos.connections")
    public record Properties(
            Integer planned, @DefaultValue("warn") String onExceed) {
        public Properties {
            if (!onExceed.equals("warn") && !onExceed.equals("fail")) {
                throw new IllegalArgumentException("mnemos.connections.on-exceed must be warn or fail");
            }
            if (planned != null && planned < 1) {
                throw new IllegalArgumentException("mnemos.connections.planned must be >= 1");
            }
        }
    }

    /** What PostgreSQL allows and what is in use when this process starts. */
    record Server(int maxConnections, int reserved, int openNow) {
        int usable() {
            return maxConnections - reserved;
        }
    }

    private final DataSource dataSource;
    private final Properties properties;

    public ConnectionBudget(DataSource dataSource, Properties properties) {
        this.dataSource = dataSource;
        this.properties = properties;
    }

    @Override
    public void afterSingletonsInstantiated() {
        HikariDataSource hikari;
        Server server;
        int ownOpen;
        try {
            hikari = dataSource.unwrap(HikariDataSource.class);
            server = server(new JdbcTemplate(dataSource));
            ownOpen = hikari.getHikariPoolMXBean() == null
                    ? 0
                    : hikari.getHikariPoolMXBean().getTotalConnections();
        } catch (SQLException | DataAccessException e) {
            log.warn("Connection budget not checked: {}", e.getMessage());
            return;
        }
        int perProcess = hikari.getMaximumPoolSize() + LISTEN_CONNECTIONS;
        log.info(
                "Connection budget: this process may hold {} connections ({} pooled + {} for live events); PostgreSQL"
                        + " allows {} ({} max_connections - {} reserved), {} open now{}",
                perProcess,
                hikari.getMaximumPoolSize(),
                LISTEN_CONNECTIONS,
                server.usable(),
                server.maxConnections(),
                server.reserved(),
                server.openNow(),
                properties.planned() == null ? "" : "; the deployment plans " + properties.planned());
        assess(hikari.getMaximumPoolSize(), properties.planned(), server, ownOpen)
                .ifPresent(problem -> {
                    if (properties.onExceed().equals("fail")) {
                        throw new IllegalStateException(problem);
                    }
                    log.warn(problem);
                });
    }

    private static Server server(JdbcTemplate jdbc) {
        int max = Integer.parseInt(jdbc.queryForObject("show max_connections", String.class));
        // reserved_connections (PostgreSQL 16+) are also kept from ordinary roles
        int reserved = jdbc.queryForObject("""
                select coalesce(sum(setting::int), 0) from pg_settings
                where name in ('superuser_reserved_connections', 'reserved_connections')""", Integer.class);
        int open = jdbc.queryForObject(
                "select count(*) from pg_stat_activity where backend_type = 'client backend'", Integer.class);
        return new Server(max, reserved, open);
    }

    /**
     * The problem with the budget, with its arithmetic, if any.
     *
     * @param pooled this process's pool size
     * @param planned the deployment's total, when declared
     * @param ownOpen this process's pooled connections already open (counted in {@code server.openNow()})
     */
    static Optional<String> assess(int pooled, Integer planned, Server server, int ownOpen) {
        int perProcess = pooled + LISTEN_CONNECTIONS;
        if (planned != null) {
            if (planned > server.usable()) {
                return Optional.of("The deployment plans " + planned
                        + " connections (mnemos.connections.planned: the sum over"
                        + " processes of spring.datasource.hikari.maximum-pool-size + " + LISTEN_CONNECTIONS
                        + "), more than the "
                        + server.usable() + " PostgreSQL allows (max_connections " + server.maxConnections() + " - "
                        + server.reserved()
                        + " reserved): lower the pool sizes or the replicas, raise max_connections, or put"
                        + " PgBouncer in front (README, 'Scaling out')");
            }
            return Optional.empty();
        }
        int needed = server.openNow() + perProcess - ownOpen;
        if (needed > server.usable()) {
            return Optional.of("PostgreSQL has " + server.openNow() + " connections open and this process may open "
                    + (perProcess - ownOpen) + " more (" + pooled + " pooled + " + LISTEN_CONNECTIONS
                    + " for live events, "
                    + ownOpen + " already open): " + needed + " > the " + server.usable()
                    + " it allows (max_connections "
                    + server.maxConnections() + " - " + server.reserved() + " reserved); lower"
                    + " spring.datasource.hikari.maximum-pool-size, raise max_connections, or put PgBouncer in front (README,"
                    + " 'Scaling out')");
        }
        return Optional.empty();
    }
}
