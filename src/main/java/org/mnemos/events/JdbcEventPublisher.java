package org.mnemos.events;

import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.ObjectMapper;

/**
 * Inserts the event and NOTIFYs {@value EventListenerService#CHANNEL} with {@code <experimentId>:<seq>}
 * in the caller's transaction (or a new one): PostgreSQL delivers the notification only on commit,
 * so a rolled-back state change never reaches a subscriber.
 */
@Component
public class JdbcEventPublisher implements EventPublisher {

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public JdbcEventPublisher(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    @Override
    @Transactional
    public long publish(UUID experimentId, String type, Object data) {
        String payload = json.writeValueAsString(data);
        Long seq = jdbc.queryForObject(
                "insert into events (experiment_id, type, data) values (?, ?, ?::jsonb) returning seq",
                Long.class,
                experimentId,
                type,
                payload);
        jdbc.queryForObject(
                "select pg_notify(?, ?)::text", String.class, EventListenerService.CHANNEL, experimentId + ":" + seq);
        return seq;
    }
}
