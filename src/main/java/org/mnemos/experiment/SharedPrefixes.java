package org.mnemos.experiment;

import java.util.List;
import java.util.UUID;
import org.mnemos.engine.RunPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Arms of a group that share a prefix: where two members resolve identically for phases 0..k (by
 * the comparison a fork is checked with), only the leader trains them; the follower's first
 * execution waits until the leader completed them and then reuses them by reference, as a fork of
 * the leader would. A leader that ends without them (failed, cancelled, deleted) leaves the
 * follower to train them itself, reusing whatever leading phases the leader did complete.
 */
@Component
public class SharedPrefixes {

    private static final Logger log = LoggerFactory.getLogger(SharedPrefixes.class);

    private final JdbcTemplate jdbc;
    private final ExperimentRepository experiments;
    private final PhaseRepository phases;
    private final Forks forks;

    SharedPrefixes(JdbcTemplate jdbc, ExperimentRepository experiments, PhaseRepository phases, Forks forks) {
        this.jdbc = jdbc;
        this.experiments = experiments;
        this.phases = phases;
        this.forks = forks;
    }

    /**
     * The last phase two runs could share, or -1: the runs resolve identically in data, model,
     * method, memory, training and seed, and phases 0..k hold the same classes after the same class
     * order; neither run's last phase is shared (a last phase runs differently).
     */
    public static int sharedPrefix(RunPlan a, RunPlan b) {
        return Forks.sharedPrefix(a, b);
    }

    /** Records, inside the caller's transaction, that {@code follower} takes phases 0..{@code lastPhase} from {@code leader}. */
    public void follow(UUID follower, UUID leader, int lastPhase) {
        jdbc.update(
                "insert into shared_prefixes (follower, leader, last_phase) values (?, ?, ?)",
                follower,
                leader,
                lastPhase);
    }

    /** What a follower's execution of a phase does now. */
    public sealed interface Decision {}

    /** Not a follower (any more): the phase trains as usual. */
    public record Train() implements Decision {}

    /** The leader has not completed the shared phases yet and still runs: look again later. */
    public record Wait(UUID leader) implements Decision {}

    /** Phases 0..{@code next - 1} were reused from the leader: queue {@code next}. */
    public record Reused(Experiment follower, int next) implements Decision {}

    /**
     * Settles a follower's execution of {@code phase}, inside the caller's transaction: reuses the
     * leader's phases once they are all completed, or as many leading ones as it completed when it
     * ended without the rest; waits while it still runs.
     */
    public Decision settle(UUID id, int phase) {
        List<Prefix> prefixes = jdbc.query(
                "select leader, last_phase from shared_prefixes where follower = ? for update",
                (rs, n) -> new Prefix(rs.getObject("leader", UUID.class), rs.getInt("last_phase")),
                id);
        if (prefixes.isEmpty()) {
            return new Train();
        }
        UUID leaderId = prefixes.get(0).leader();
        int lastPhase = prefixes.get(0).lastPhase();
        Experiment follower = experiments.findById(id).orElse(null);
        if (follower == null || follower.getStatus() != ExperimentStatus.QUEUED || phase != 0) {
            // cancelled, ended or past the prefix: the execution goes its usual way
            return new Train();
        }
        Experiment leader = experiments.findById(leaderId).orElse(null);
        int completed = leader == null ? 0 : leadingCompleted(leaderId, lastPhase);
        boolean leaderEnded = leader == null
                || switch (leader.getStatus()) {
                    case FAILED, CANCELLED, CANCELLING, SUCCEEDED -> true;
                    default -> false;
                };
        if (completed <= lastPhase && !leaderEnded) {
            return new Wait(leaderId);
        }
        jdbc.update("delete from shared_prefixes where follower = ?", id);
        if (completed == 0) {
            log.info(
                    "Leader {} ended before its phase 0 completed; {} trains its phases 0..{} itself",
                    leaderId,
                    id,
                    lastPhase);
            return new Train();
        }
        int next = forks.reuse(follower, new Forks.Reuse(leaderId, completed - 1));
        log.info("Experiment {} reused phases 0..{} of the group's leader {}", id, completed - 1, leaderId);
        return new Reused(follower, next);
    }

    private record Prefix(UUID leader, int lastPhase) {}

    /** How many of the leader's phases 0..lastPhase completed, counted from phase 0. */
    private int leadingCompleted(UUID leader, int lastPhase) {
        int completed = 0;
        for (Phase phase : phases.findByExperiment(leader)) {
            if (phase.getPhaseIndex() > lastPhase || phase.getStatus() != PhaseStatus.COMPLETED) {
                break;
            }
            completed++;
        }
        return completed;
    }
}
