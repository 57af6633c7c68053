package org.mnemos.events;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
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
        return jdbc
                .query(
                        "select seq, experiment_id, type, data::text as data, created_at from events where seq = ?",
                        EventQueries::map,
                        seq)
                .stream()
                .findFirst();
    }

    public boolean existsAfter(UUID experimentId, long seq) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "select exists(select 1 from events where experiment_id = ? and seq > ?)",
                Boolean.class,
                experimentId,
                seq));
    }

    /** The seq of the experiment's latest event, 0 when it has none. */
    public long lastSeq(UUID experimentId) {
        Long seq = jdbc.queryForObject("select max(seq) from events where experiment_id = ?", Long.class, experimentId);
        return seq == null ? 0 : seq;
    }

    /** The seq of each experiment's latest event; experiments without events are absent. */
    public Map<UUID, Long> lastSeqs(Collection<UUID> experimentIds) {
        Map<UUID, Long> seqs = new HashMap<>();
        if (experimentIds.isEmpty()) {
            return seqs;
        }
        String placeholders = String.join(",", Collections.nCopies(experimentIds.size(), "?"));
        jdbc.query(
                "select experiment_id, max(seq) as seq from events where experiment_id in (" + placeholders
                        + ") group by experiment_id",
                (RowCallbackHandler) rs -> seqs.put(rs.getObject("experiment_id", UUID.class), rs.getLong("seq")),
                experimentIds.toArray());
        return seqs;
    }

    public boolean experimentExists(UUID experimentId) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "select exists(select 1 from experiments where id = ?)", Boolean.class, experimentId));
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
