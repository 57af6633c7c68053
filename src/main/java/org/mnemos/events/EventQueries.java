package org.mnemos.events;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Reads of the {@code events} table, in seq order. */
@Repository
public class EventQueries {

    private final JdbcTemplate jdbc;

    public EventQueries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public List<EventRecord> after(UUID experimentId, long afterSeq, int limit) {
        return jdbc.query(
                "select seq, experiment_id, type, data::text as data, created_at from events"
                        + " where experiment_id = ? and seq > ? order by seq limit ?",
                EventQueries::map,
                experimentId,
                afterSeq,
                limit);
    }

    public Optional<EventRecord> bySeq(long seq) {
        return jdbc.query(
                        "select seq, experiment_id, type, data::text as data, created_at from events where seq = ?",
                        EventQueries::map,
                        seq)
                .stream()
                .findFirst();
    }

    public boolean existsAfter(UUID experimentId, long seq) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "select exists(select 1 from events where experiment_id = ? and seq > ?)", Boolean.class, experimentId, seq));
    }

    public boolean experimentExists(UUID experimentId) {
        return Boolean.TRUE.equals(
                jdbc.queryForObject("select exists(select 1 from experiments where id = ?)", Boolean.class, experimentId));
    }

    private static EventRecord map(ResultSet rs, int row) throws SQLException {
        return new EventRecord(
                rs.getLong("seq"),
                rs.getObject("experiment_id", UUID.class),
                rs.getString("type"),
                rs.getString("data"),
                rs.getObject("created_at", OffsetDateTime.class));
    }
}
