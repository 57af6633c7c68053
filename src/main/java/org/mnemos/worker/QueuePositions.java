package org.mnemos.worker;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Where waiting phases stand in their pool's queue, in the order a worker takes them: priority
 * first, then execution time (the run's submission time). A phase of pool {@code p} competes with
 * what a worker of {@code p} takes, {@code run-phase@p} and {@code run-phase}; a phase of a run that
 * names no pool with {@code run-phase}'s. Only phases due now count ahead: one waiting out a retry's
 * backoff is taken when it is due, not before.
 */
final class QueuePositions {

    private static final String SQL = """
            select split_part(w.task_instance, '/', 1) as run,
                   1 + (select count(*) from scheduled_tasks o
                        where not o.picked
                          and o.execution_time <= statement_timestamp()
                          and (o.task_name = w.task_name or (w.task_name <> ? and o.task_name = ?))
                          and (o.priority > w.priority
                               or o.priority = w.priority
                                  and (o.execution_time, o.task_instance) < (w.execution_time, w.task_instance)))
                       as position
            from scheduled_tasks w
            where not w.picked
              and (w.task_name = ? or w.task_name like ?)
              and split_part(w.task_instance, '/', 1) = any (?)""";

    private QueuePositions() {}

    static Map<UUID, Integer> of(JdbcTemplate jdbc, Collection<UUID> runs) {
        Map<UUID, Integer> positions = new HashMap<>();
        if (runs.isEmpty()) {
            return positions;
        }
        String[] ids = runs.stream().map(UUID::toString).toArray(String[]::new);
        jdbc.query(
                connection -> {
                    var statement = connection.prepareStatement(SQL);
                    statement.setString(1, PhaseRef.TASK_NAME);
                    statement.setString(2, PhaseRef.TASK_NAME);
                    statement.setString(3, PhaseRef.TASK_NAME);
                    statement.setString(4, PhaseRef.taskName("") + "%");
                    statement.setArray(5, connection.createArrayOf("text", ids));
                    return statement;
                },
                rs -> {
                    positions.merge(UUID.fromString(rs.getString("run")), rs.getInt("position"), Math::min);
                });
        return positions;
    }
}
