package org.mnemos.config;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.mnemos.worker.PhaseRef;
import org.mnemos.worker.WorkerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Mnemos' own meters: {@code mnemos.experiments{status}}, {@code mnemos.queue.depth} (phase
 * executions not yet picked by a worker) and {@code mnemos.queue.phases{pool, state}} (per worker
 * pool, {@code any} for runs that name none: {@code waiting} for a worker or {@code running}; an
 * autoscaler's signal) read from the database, at most once per {@code ttl} however often they are
 * scraped; {@code mnemos.phase.duration} and {@code mnemos.phase.images_per_second} recorded by the
 * worker after each phase.
 */
@Component
public class MnemosMetrics {

    public static final List<String> STATUSES =
            List.of("QUEUED", "RUNNING", "CANCELLING", "CANCELLED", "SUCCEEDED", "FAILED");
    private static final Logger log = LoggerFactory.getLogger(MnemosMetrics.class);
    private static final String QUEUE = "queue";

    private static final List<String> PHASE_STATES = List.of("waiting", "running");

    private final JdbcTemplate jdbc;
    private final MeterRegistry registry;
    private final Duration ttl;
    /** Pools whose {@code mnemos.queue.phases} gauges are registered; a pool's gauges appear once it has had a phase. */
    private final Set<String> poolsWithGauges = ConcurrentHashMap.newKeySet();

    private final Timer phaseDuration;
    private final DistributionSummary imagesPerSecond;
    private Map<String, Double> snapshot = Map.of();
    private long snapshotAt;

    @Autowired
    public MnemosMetrics(JdbcTemplate jdbc, MeterRegistry registry) {
        this(jdbc, registry, Duration.ofSeconds(5));
    }

    MnemosMetrics(JdbcTemplate jdbc, MeterRegistry registry, Duration ttl) {
        this.jdbc = jdbc;
        this.registry = registry;
        this.ttl = ttl;
        for (String status : STATUSES) {
            Gauge.builder("mnemos.experiments", this, m -> m.value(status))
                    .description("Experiments by status")
                    .tag("status", status.toLowerCase(java.util.Locale.ROOT))
                    .register(registry);
        }
        Gauge.builder("mnemos.queue.depth", this, m -> m.value(QUEUE))
                .description("Phase executions waiting for a worker")
                .register(registry);
        registerPool(WorkerProperties.ANY_POOL);
        phaseDuration = Timer.builder("mnemos.phase.duration")
                .description("Wall time of one phase on a worker")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofSeconds(1))
                .maximumExpectedValue(Duration.ofHours(12))
                .register(registry);
        imagesPerSecond = DistributionSummary.builder("mnemos.phase.images_per_second")
                .description("Training throughput of one phase")
                .register(registry);
    }

    public void recordPhase(Duration duration, double imagesPerSecond) {
        phaseDuration.record(duration.toNanos(), TimeUnit.NANOSECONDS);
        this.imagesPerSecond.record(imagesPerSecond);
    }

    private synchronized double value(String key) {
        long now = System.nanoTime();
        if (snapshot.isEmpty() || now - snapshotAt >= ttl.toNanos()) {
            snapshot = read();
            snapshotAt = now;
        }
        return snapshot.getOrDefault(key, Double.NaN);
    }

    private static String poolOf(String taskName) {
        return taskName.equals(PhaseRef.TASK_NAME)
                ? WorkerProperties.ANY_POOL
                : taskName.substring(PhaseRef.TASK_NAME.length() + 1);
    }

    private void registerPool(String pool) {
        if (poolsWithGauges.add(pool)) {
            for (String state : PHASE_STATES) {
                Gauge.builder("mnemos.queue.phases", this, m -> m.value(state + ":" + pool))
                        .description("Phases of a worker pool's runs waiting for a worker or running")
                        .tags("pool", pool, "state", state)
                        .register(registry);
            }
        }
    }

    /** Empty when the database cannot be read: the gauges then report NaN rather than stale counts. */
    private Map<String, Double> read() {
        try {
            Map<String, Double> values = new HashMap<>();
            STATUSES.forEach(s -> values.put(s, 0.0));
            jdbc.query("select status, count(*) from experiments group by status", rs -> {
                values.put(rs.getString(1), rs.getDouble(2));
            });
            values.put(
                    QUEUE, jdbc.queryForObject("select count(*) from scheduled_tasks where not picked", Double.class));
            poolsWithGauges.forEach(pool -> PHASE_STATES.forEach(state -> values.put(state + ":" + pool, 0.0)));
            jdbc.query(
                    """
                    select task_name, count(*) filter (where not picked), count(*) filter (where picked)
                    from scheduled_tasks where task_name = ? or task_name like ? group by task_name""",
                    rs -> {
                        String pool = poolOf(rs.getString(1));
                        values.put("waiting:" + pool, rs.getDouble(2));
                        values.put("running:" + pool, rs.getDouble(3));
                        registerPool(pool);
                    },
                    PhaseRef.TASK_NAME,
                    PhaseRef.TASK_NAME + "@%");
            return values;
        } catch (DataAccessException e) {
            log.debug("Metrics query failed: {}", e.getMessage());
            return Map.of();
        }
    }
}
